# A registry in the loop: a local one for development and the tests (Debian's docker-registry on loopback, plain
# HTTP; src/scripts/registry.sh), and `make push` to any registry with Jib (no daemon needed).

##@ Registry

# Where `make registry-up` serves (host:port) and `make push` pushes (host[:port][/namespace]: images go to
# REGISTRY/task-api). A loopback address speaks plain HTTP.
REGISTRY ?= 127.0.0.1:5000
REGISTRY_DIR ?= target/registry
# An overlay directory whose kustomization.yaml `make push` pins to the pushed slim image's digest.
PIN ?=

.PHONY: registry-up
registry-up: ## Start a local registry on REGISTRY (loopback, plain HTTP), storage in target/registry.
	$(call require,docker-registry,apt-get install docker-registry)
	src/scripts/registry.sh start $(REGISTRY) $(REGISTRY_DIR)

.PHONY: registry-down
registry-down: ## Stop the local registry (its storage stays until make clean).
	src/scripts/registry.sh stop $(REGISTRY_DIR)

.PHONY: push
push: ## Push slim + distroless to REGISTRY with Jib; digests in target/push/digests.env; PIN=k8s/overlays/X pins X. JDK 25.
	$(call require,curl,apt-get install curl)
	$(require_jdk25)
	src/scripts/push-images.sh $(if $(PIN),--pin $(PIN)) $(REGISTRY)
