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
# The engine in use, empty when there is none (for the targets that need one or adapt to it), and its kind.
CONTAINER_ENGINE := $(filter-out none,$(ENGINE))
ENGINE_IS_PODMAN := $(findstring podman,$(notdir $(CONTAINER_ENGINE)))
ENGINE_IS_DOCKER := $(if $(CONTAINER_ENGINE),$(if $(ENGINE_IS_PODMAN),,docker))
# JUnit tags the tests leave out: cluster (make test-e2e), and podman (podman kube play) unless ENGINE is podman.
TEST_EXCLUDED_GROUPS ?= cluster$(if $(ENGINE_IS_PODMAN),,$(comma)podman)
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

# Every shell script in the repository but target/, found by its #! line (sh, bash, dash, ksh): a new script is
# linted without being listed anywhere. shellcheck's settings are in .shellcheckrc (it follows sourced files).
SHELL_SCRIPTS = $(shell find . \( -path ./target -o -path ./.git \) -prune -o -type f -exec \
  awk 'FNR == 1 { if (/^\#!.*[\/ ](ba|da|k)?sh([ \t]|$$)/) print substr(FILENAME, 3); nextfile }' {} + | sort)
SHELLCHECK ?= shellcheck

# `make test` without shellcheck still runs, skipping the lint; the skip is recorded like a skipped test suite
# (target/skipped-suites/lint.tsv, listed at the end of the run). Under CI=true it fails instead.
.PHONY: lint
lint: ## Check every shell script (found by its #! line) with shellcheck. Skipped without shellcheck, except under CI=true.
	@rm -f target/skipped-suites/lint.tsv
	@if ! command -v $(SHELLCHECK) >/dev/null 2>&1; then \
	  why="$(SHELLCHECK) not found: apt-get install shellcheck"; ci=$${CI:-}; \
	  if [ "$${ci,,}" = true ]; then echo "error: lint is mandatory in CI (CI=true), but $$why" >&2; exit 1; fi; \
	  echo "lint: skipped, $$why"; \
	  mkdir -p target/skipped-suites; printf 'lint (shellcheck)\t%s\t%s\tscript\n' $(words $(SHELL_SCRIPTS)) "$$why" >target/skipped-suites/lint.tsv; \
	  exit 0; \
	fi; \
	echo "$(SHELLCHECK) $(SHELL_SCRIPTS)"; $(SHELLCHECK) $(SHELL_SCRIPTS)

# What `make test` builds first, all here: the lint; where a container engine exists, the images and a second,
# independent build of them (the reproducibility test; without an engine the container tests skip, or fail in CI),
# the models image's base (the models image test) and the PostgreSQL image (the slim image's TLS tests under either
# engine, and the podman kube play tests); under docker the legacy builder test's JRE base.
TEST_PREREQS := lint $(if $(CONTAINER_ENGINE),images images-repro models-base k8s-postgres-image) \
  $(if $(ENGINE_IS_DOCKER),legacy-builder-base)

.PHONY: test
test: $(TEST_PREREQS) ## Run every test this machine can run: the lint, unit tests, then the *IT integration tests (engine, kubectl) with mvn verify; lists the skipped suites and what each needs. JDK 25 (17+ without a container engine).
	$(call require,$(MVN),install Maven (apt-get install maven))
	$(call require_jdk,17,make test)
	@rm -f target/skipped-suites/unit.tsv target/skipped-suites/integration.tsv
	@status=0; $(MVN) $(MVN_FLAGS) verify -Dtest.excludedGroups=$(TEST_EXCLUDED_GROUPS) || status=$$?; \
	  src/scripts/skipped-suites.sh target/skipped-suites; exit $$status

# The cluster tests (DeploymentIT). Against the cluster you name: KUBE_CONTEXT (mk/k8s.mk) of KUBECONFIG (default
# ~/.kube/config), given on the command line or in the environment, with the images already there (`make kind-test`
# creates and loads the kind cluster first). Without one: a one-node Kubernetes v1.20 built from Debian's source
# package (once per machine, cached) and started on this machine for the run, the images loaded into its node, and
# everything it started stopped and removed afterwards (src/scripts/e2e.sh, docs/kubernetes.md).
E2E_CLUSTER_GIVEN := $(or $(filter command line environment%,$(origin KUBE_CONTEXT)),$(filter command line environment%,$(origin KUBECONFIG)))
# Extra flags for the cluster tests (the local cluster adds -Dk8s.adapt=local-v1.20).
E2E_TEST_FLAGS ?=

.PHONY: test-e2e
test-e2e: $(if $(E2E_CLUSTER_GIVEN),,k8s-image k8s-postgres-image) ## Run the cluster tests (DeploymentIT): against KUBE_CONTEXT/KUBECONFIG when you name one, else on a Kubernetes 1.20 this machine builds and starts for the run (Linux, root). Fails, never skips, without the cluster.
	$(call require,$(MVN),install Maven (apt-get install maven))
	$(call require_jdk,17,make test-e2e)
	$(if $(E2E_CLUSTER_GIVEN),$(MAKE) --no-print-directory e2e-tests,src/scripts/e2e.sh $(K8S_IMAGE_TAR) $(K8S_PG_IMAGE_TAR))

# The cluster tests against KUBE_CONTEXT, whatever started it (test-e2e, kind-test, e2e.sh).
.PHONY: e2e-tests
e2e-tests:
	@rm -f target/failsafe-reports/failsafe-summary.xml
	$(MVN) $(MVN_FLAGS) verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=DeploymentIT \
	  -Dfailsafe.failIfNoSpecifiedTests=true -Dtest.groups=cluster -Dtest.excludedGroups= -Dkube.context=$(KUBE_CONTEXT) \
	  -Dcluster.required=true $(E2E_TEST_FLAGS)
	src/scripts/kind.sh tests-ran target/failsafe-reports/failsafe-summary.xml

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
