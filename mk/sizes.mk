##@ Image sizes (dockerfiles/: the 1 GB diet, measured)

# BASES (defined in mk/images.mk: auto|debian|upstream) also picks the dockerfiles/ bases: upstream = the images
# named in each Dockerfile's ARG defaults (needs Docker Hub and gcr.io), debian = Debian-built stand-ins made
# here by `make bases-dockerfiles` (Alpine then has none and is reported as skipped), auto = upstream when
# Docker Hub answers within 4 s, else debian.
SIZES_OUT ?= target/sizes

.PHONY: bases-dockerfiles
bases-dockerfiles: bases ## Debian-built JDK+Maven and JRE images for dockerfiles/ (mmdebstrap, cached in ~/.cache), + base-nossl.
	$(call require,mmdebstrap,apt-get install mmdebstrap)
	@test -n "$(ENGINE)" || { echo "error: no container engine (src/scripts/podman-setup.sh, or install docker)" >&2; exit 1; }
	src/scripts/sizes-bases.sh
	$(ENGINE) load -q -i target/bases/base-nossl.tar

.PHONY: sizes
sizes: build images $(if $(filter upstream,$(BASES)),,bases-dockerfiles) ## Build, smoke-test and measure every dockerfiles/ iteration and both Jib images: table, target/sizes/sizes.{json,svg}.
	@test -n "$(ENGINE)" || { echo "error: no container engine (src/scripts/podman-setup.sh, or install docker)" >&2; exit 1; }
	$(call require,curl,apt-get install curl)
	OUT=$(SIZES_OUT) src/scripts/sizes.sh
