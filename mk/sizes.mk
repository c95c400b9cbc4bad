##@ Image sizes (dockerfiles/: the 1 GB diet, measured)

# BASES (defined in mk/images.mk: auto|debian|upstream) also picks the dockerfiles/ bases: upstream = the images
# named in each Dockerfile's ARG defaults (needs Docker Hub and gcr.io), debian = Debian-built stand-ins made
# here by `make bases-dockerfiles` (src/scripts/bases.sh, the same pipeline as `make bases`; Alpine then has none
# and is reported as skipped), auto = upstream when
# Docker Hub answers within 4 s, else debian.
SIZES_OUT ?= target/sizes

.PHONY: bases-dockerfiles
bases-dockerfiles: ## Debian-built JDK+Maven, JRE and base-nossl images for dockerfiles/, loaded into ENGINE (mmdebstrap cached in ~/.cache).
	$(call require,mmdebstrap,apt-get install mmdebstrap)
	$(require_engine)
	src/scripts/bases.sh --out target/bases --load base-nossl jre17 maven-jdk17

.PHONY: sizes
sizes: build images $(if $(filter upstream,$(BASES)),,bases-dockerfiles) ## Build, smoke-test and measure every dockerfiles/ iteration and both Jib images: table, target/sizes/sizes.{json,svg}.
	$(require_engine)
	$(call require,curl,apt-get install curl)
	OUT=$(SIZES_OUT) src/scripts/sizes.sh
