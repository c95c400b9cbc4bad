# The models image: data only (the files of MODELS and their SHA256SUMS under /models, from scratch, no entrypoint),
# built by Jib (pom.xml execution `models`) without a daemon. The app image copies it onto the models volume:
# `install-models` (docs/models.md).
#   target/jib/task-api-models.tar   $(IMG_REPO)-models:$(VERSION)

##@ Models

# The directory the models image is built from (its files must all be listed in its SHA256SUMS).
MODELS ?= models
# host:port of the registry models-push pushes to (a loopback one is plain HTTP: src/scripts/registry.sh).
REGISTRY ?=

models_jib = $(MVN) $(MVN_FLAGS) -q -DskipTests -Djib.console=plain package jib:$(1)@models \
  -Dimage.models.dir="$(abspath $(MODELS))" -Dimage.revision="$$(git rev-parse HEAD 2>/dev/null || echo unknown)"

.PHONY: models-image
models-image: ## Build the models image from MODELS (default models/): target/jib/task-api-models.tar.
	$(call require,$(MVN),install Maven (apt-get install maven))
	@[ -f "$(MODELS)/SHA256SUMS" ] || { echo "error: $(MODELS)/SHA256SUMS is missing: list every model's sha256 (models/README.md)" >&2; exit 1; }
	$(call models_jib,buildTar) -Dimage.repo=$(IMG_REPO)
	@echo "models image: target/jib/task-api-models.tar ($$(stat -c %s target/jib/task-api-models.tar) bytes)" \
	  "$$(cat target/jib/task-api-models.digest)"

.PHONY: models-push
models-push: ## Push the models image to REGISTRY/task-api-models:VERSION (REGISTRY=host:port) and print its digest.
	$(call require,$(MVN),install Maven (apt-get install maven))
	@[ -n "$(REGISTRY)" ] || { echo "error: REGISTRY is not set: make models-push REGISTRY=host:port" >&2; exit 1; }
	@[ -f "$(MODELS)/SHA256SUMS" ] || { echo "error: $(MODELS)/SHA256SUMS is missing: list every model's sha256 (models/README.md)" >&2; exit 1; }
	$(call models_jib,build) -Dimage.repo=$(REGISTRY)/task-api \
	  $(if $(filter 127.0.0.1:% localhost:% [::1]:%,$(REGISTRY)),-Djib.allowInsecureRegistries=true)
	@echo "$(REGISTRY)/task-api-models@$$(cat target/jib/task-api-models.digest)"
