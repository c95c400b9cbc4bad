##@ Image sizes (dockerfiles/: the 1 GB diet, measured)

# Bases of the dockerfiles/ iterations: debian = Debian-built stand-ins made here (no registry needed; Alpine
# is then skipped, it has none), upstream = the images named in each Dockerfile's ARG defaults (needs a registry).
BASES ?= debian
SIZES_OUT ?= target/sizes
export BASES

.PHONY: bases-dockerfiles
bases-dockerfiles: bases ## Debian-built JDK+Maven and JRE images for dockerfiles/ (mmdebstrap, cached in ~/.cache), + base-nossl.
	$(call require,mmdebstrap,apt-get install mmdebstrap)
	$(call require,$(ENGINE),run src/scripts/podman-setup.sh or install docker)
	src/scripts/sizes-bases.sh
	$(ENGINE) load -q -i target/bases/base-nossl.tar

.PHONY: sizes
sizes: build images $(if $(filter debian,$(BASES)),bases-dockerfiles) ## Build, smoke-test and measure every dockerfiles/ iteration and both Jib images: table, target/sizes/sizes.{json,svg}.
	$(call require,$(ENGINE),run src/scripts/podman-setup.sh or install docker)
	$(call require,curl,apt-get install curl)
	OUT=$(SIZES_OUT) src/scripts/sizes.sh
