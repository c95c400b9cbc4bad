# task-api: a Vert.x 5 service, its small hardened images, and their Kubernetes deployment.
# `make help` lists every target. Variables marked ?= can be overridden: `make image ENGINE=podman`.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

MVN ?= mvn
MVN_FLAGS ?= -B -ntp
VERSION := $(shell src/scripts/lib.sh version)
IMG_REPO ?= task-api
IMG ?= $(IMG_REPO):$(VERSION)-slim
# Container engine (src/scripts/lib.sh chooses it for the Makefile, the scripts and the tests alike): podman if it
# answers, else docker if its daemon answers, else none. Force one with ENGINE=docker, ENGINE=/usr/bin/docker,
# ENGINE=podman; ENGINE=none builds and tests without one. Evaluated once.
# Whether you named the engine (kind follows you then, else its own default: mk/k8s.mk).
ENGINE_GIVEN := $(filter command line environment%,$(origin ENGINE))
ENGINE ?= $(shell src/scripts/lib.sh engine)
ENGINE := $(ENGINE)
export ENGINE
# The engine in use, empty when there is none (for the targets that need one or adapt to it).
CONTAINER_ENGINE := $(filter-out none,$(ENGINE))
# JUnit tags the tests leave out: kind (make kind-test), and podman (podman kube play) unless ENGINE is podman.
TEST_EXCLUDED_GROUPS ?= kind$(if $(findstring podman,$(notdir $(CONTAINER_ENGINE))),,$(comma)podman)
comma := ,

# The JDK, found the ordinary way: JAVA_HOME (Maven runs on it too), else the JDK of the `java` on PATH. One JDK 25
# does everything; building, the unit tests and `make run` need only Java 17+ (the jar is built for Java 17), while
# jlink and the AOT cache, hence every image target and `make test` wherever a container engine makes it build the
# images, need JDK 25 (mk/images.mk).
ifeq ($(strip $(JAVA_HOME)),)
JAVA_HOME := $(shell j=$$(command -v java) && dirname "$$(dirname "$$(readlink -f "$$j")")")
endif
export JAVA_HOME

# $(call require_jdk,MAJOR,WHAT[,VAR]): the JDK in VAR (default JAVA_HOME) is Java MAJOR or newer, or a one-line
# error naming what to install.
define require_jdk
	@v=$$( { "$($(or $(3),JAVA_HOME))/bin/java" -version 2>&1 || true; } | sed -n '1s/^[^"]*"\([0-9]*\).*/\1/p'); \
	  [ "$${v:-0}" -ge $(1) ] 2>/dev/null || { echo "error: $(2) needs JDK $(1) or newer, but $(or $(3),JAVA_HOME)=$(or $($(or $(3),JAVA_HOME)),(unset)) has $${v:+Java }$${v:-no java}: install a JDK $(1) (e.g. Temurin $(1), https://adoptium.net) and set JAVA_HOME to it" >&2; exit 1; }
endef

define require
	@command -v $(1) >/dev/null 2>&1 || { echo "error: '$(1)' not found: $(2)" >&2; exit 1; }
endef

# The engine answers, or one line naming what to install or start (a docker whose daemon is down included).
define require_engine
	@[ -n "$(CONTAINER_ENGINE)" ] || { echo "error: no container engine: install podman (src/scripts/podman-setup.sh) or docker (apt-get install docker.io) and start its daemon" >&2; exit 1; }
	@src/scripts/lib.sh require-engine "make $@"
endef

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make \033[36m<target>\033[0m [VAR=value]\n"} \
	  /^[a-zA-Z0-9_.-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } \
	  /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

.PHONY: build
build: ## Compile and package the service (target/task-api-<version>.jar + target/lib/ + target/sbom/). JDK 17+.
	$(call require,$(MVN),install Maven (apt-get install maven))
	$(call require_jdk,17,make build)
	$(MVN) $(MVN_FLAGS) -q -DskipTests package

.PHONY: run
run: build ## Run the service on :8080 with the in-memory store (env: PORT, HOST, MODELS_DIR, ...). JDK 17+.
	"$(JAVA_HOME)/bin/java" -jar target/task-api-$(VERSION).jar

.PHONY: unit-test
unit-test: ## Run the unit tests only (mvn test: no container engine, cluster or kubectl needed). JDK 17+.
	$(call require,$(MVN),install Maven (apt-get install maven))
	$(call require_jdk,17,make unit-test)
	$(MVN) $(MVN_FLAGS) test

.PHONY: test
test: ## Run every test this machine can run: unit tests, then the *IT integration tests (engine, kubectl) with mvn verify; lists the skipped suites and what each needs. JDK 25 (17+ without a container engine).
	$(call require,$(MVN),install Maven (apt-get install maven))
	$(call require_jdk,17,make test)
	@rm -rf target/skipped-suites
	@status=0; $(MVN) $(MVN_FLAGS) verify -Dtest.excludedGroups=$(TEST_EXCLUDED_GROUPS) || status=$$?; \
	  src/scripts/skipped-suites.sh target/skipped-suites; exit $$status

.PHONY: bench
bench: build ## Benchmark the slim image under the pod's limits (and the host jar) against the original FastAPI app, in memory and on PostgreSQL, with wrk; writes docs/benchmarks.md. Needs make images-load.
	$(call require,wrk,apt-get install wrk)
	src/scripts/bench.sh

.PHONY: soak
soak: build ## Soak the deployed configuration (slim image on PostgreSQL, in the pod's memory limit) with mixed requests at 256 connections for 10 minutes; writes its section of docs/benchmarks.md. Needs make images-load.
	$(call require,wrk,apt-get install wrk)
	src/scripts/bench.sh soak

.PHONY: clean
clean: ## Remove build output.
	$(MVN) $(MVN_FLAGS) -q clean

# Images, dockerfiles/ + sizes, and Kubernetes targets live in mk/.
include $(sort $(wildcard mk/*.mk))
