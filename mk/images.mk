# Container images: Jib builds docker-archive tars without a daemon or a registry.
#   target/jib/task-api-slim.tar        $(IMG_REPO):$(VERSION)-slim        jlink runtime, glibc-only base (k8s)
#   target/jib/task-api-slim-aot.tar    $(IMG_REPO):$(VERSION)-slim-aot    slim + Java 25 AOT cache (startup)
#   target/jib/task-api-distroless.tar  $(IMG_REPO):$(VERSION)-distroless  Jib default layout on a Java base
# Registry-free bases (`make bases`; src/scripts/bases.sh builds every Debian base, these from the pinned
# Debian bookworm packages in src/scripts/bases.lock):
#   target/bases/base-nossl.tar  localhost/task-api-base/base-nossl:bookworm  (upstream: distroless base-nossl)
#   target/bases/java17.tar      localhost/task-api-base/java17:bookworm      (upstream: distroless java21)

##@ Images

# auto: the upstream distroless bases when their registry answers within 4 s, else the Debian-built ones.
BASES ?= auto
UPSTREAM_BASE_SLIM ?= gcr.io/distroless/base-nossl-debian12:nonroot
UPSTREAM_BASE_JAVA ?= gcr.io/distroless/java21-debian12:nonroot
# The JDK the slim runtime is linked from: the build's own (JAVA_HOME, see the Makefile), which must be a Linux x86-64
# JDK 25 (the AOT cache needs 25). JLINK_JDK=/path overrides it for jlink alone.
JLINK_JDK ?= $(JAVA_HOME)
# The slim runtime's modules: the pom's image.jlink.modules (as Maven evaluates it: lib.sh), proven by the
# container tests (src/test/java/dev/taskapi/container/); Dockerfile.v4-jlink asks Maven for the same property.
JLINK_MODULES ?= $(shell src/scripts/lib.sh jlink-modules)
# Models mounted into the AOT training run and the container tests.
MODELS ?= models
# buildTar: docker-archive tars under target/jib/; dockerBuild: into the Docker API socket; build: push to IMG_REPO.
JIB_GOAL ?= buildTar
export BASES UPSTREAM_BASE_SLIM UPSTREAM_BASE_JAVA JLINK_JDK JLINK_MODULES MODELS JIB_GOAL IMG_REPO MVN MVN_FLAGS

# Every target that links the runtime (or runs its jdeps) checks that JDK first: one line naming what to install.
require_jdk25 = $(call require_jdk,25,make $@ (jlink and the AOT cache),JLINK_JDK)

.PHONY: bases
bases: ## Build the registry-free Debian bookworm bases (target/bases/*.tar; cached).
	src/scripts/bases.sh --out target/bases base-nossl java17

.PHONY: image
image: ## Build the slim image (jlink runtime): target/jib/task-api-slim.tar (BASES=auto|upstream|debian). JDK 25.
	$(require_jdk25)
	src/scripts/build-images.sh slim

.PHONY: images
images: ## Build every image: slim, slim-aot (AOT cache, needs ENGINE) and distroless. JDK 25.
	$(require_jdk25)
	src/scripts/build-images.sh slim distroless $(if $(CONTAINER_ENGINE),slim-aot,)
	$(if $(CONTAINER_ENGINE),,@echo "images: no container engine: slim-aot (trained in a container) not built")

.PHONY: images-repro
images-repro: images ## Build the images a second time from scratch into target/repro/ (the tests compare digests).
	$(require_jdk25)
	rm -rf target/repro
	JIB_GOAL=buildTar src/scripts/build-images.sh --out target/repro slim distroless

# The container tests (JUnit tag container) under ENGINE alone: .ci/run runs them once per engine (`make test`
# runs them too, and the tests tagged engines, which drive docker and podman both themselves). The Jib tars are
# engine-neutral and reused when built from this revision (lib.sh revision; else images-repro builds them all);
# slim-aot is trained again in ENGINE. The PostgreSQL image for the slim image's TLS tests (and, under podman, the
# podman kube play test, tag podman); under docker the legacy builder test.
REUSED_TARS := $(foreach d,target/jib target/repro/jib,$(foreach v,slim distroless,$(d)/task-api-$(v).tar))

.PHONY: container-test
container-test: $(if $(CONTAINER_ENGINE),k8s-postgres-image) $(if $(ENGINE_IS_DOCKER),legacy-builder-base) ## Run the container tests under ENGINE (make container-test ENGINE=/usr/bin/docker): reuses the Jib tars, retrains slim-aot. JDK 25.
	$(require_engine)
	$(require_jdk25)
	$(call require,$(MVN),install Maven (apt-get install maven))
	@rev=$$(src/scripts/lib.sh revision); \
	if (for f in $(REUSED_TARS:.tar=.revision); do [ "$$(cat $$f 2>/dev/null)" = "$$rev" ] || exit 1; done); then \
	  echo "container-test: reusing the Jib tars of $$rev (engine-neutral); training slim-aot in $(ENGINE)"; \
	  src/scripts/build-images.sh slim-aot; \
	else $(MAKE) --no-print-directory images-repro; fi
	$(MVN) $(MVN_FLAGS) verify -Dtest.groups=container -Dtest.excludedGroups=$(TEST_EXCLUDED_GROUPS),engines \
	  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false

# The legacy builder test's JRE base under docker (target/bases/jre17.tar, cached; the test loads it; `make test`
# builds it first under docker: the Makefile's TEST_PREREQS).
.PHONY: legacy-builder-base
legacy-builder-base:
	src/scripts/bases.sh --out target/bases jre17

.PHONY: image-load
image-load: image ## Load the slim image into ENGINE (podman, else docker: src/scripts/lib.sh; ENGINE=docker forces).
	$(require_engine)
	src/scripts/lib.sh load target/jib/task-api-slim.tar

.PHONY: images-load
images-load: images ## Load every built image into ENGINE.
	$(require_engine)
	for t in target/jib/task-api-*.tar; do src/scripts/lib.sh load $$t; done

.PHONY: sbom
sbom: build ## Build the application's SBOM and print where the bills of materials are (in target/ and in each image).
	@echo "application SBOM (CycloneDX 1.6 JSON, the runtime classpath; written with the jar by mvn package):"
	@echo "  target/sbom/task-api.cdx.json ($$(grep -c '"purl" :' target/sbom/task-api.cdx.json) purls)"
	@echo "in every image (its own layer, the last):"
	@echo "  /usr/share/sbom/task-api.cdx.json        the application (the same file)"
	@echo "  /var/lib/dpkg/status.d/<package>         the operating system's Debian packages (from the base)"
	@echo "in slim and slim-aot also:"
	@echo "  /usr/share/sbom/java-runtime.cdx.json    the jlink runtime: vendor, version, modules$$( \
	  f=target/jlink/root/usr/share/sbom/java-runtime.cdx.json; [ -f $$f ] && echo " ($$f)")"
	@echo "distroless: its Java is the Debian package openjdk-17-jre-headless (/var/lib/dpkg/status.d/)"

.PHONY: jdeps
jdeps: build ## Print the modules jdeps finds (a starting point: JLINK_MODULES is what the tests prove). JDK 25.
	$(require_jdk25)
	$(JLINK_JDK)/bin/jdeps --print-module-deps --ignore-missing-deps --multi-release 17 \
	  --class-path 'target/lib/*' target/task-api-$(VERSION).jar

.PHONY: bench-images
bench-images: images ## Measure the images (size, start, RSS, wrk load, 128 MiB limit): writes docs/images.md.
	$(call require,wrk,apt-get install wrk)
	$(require_engine)
	src/scripts/measure-images.sh
