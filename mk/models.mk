# The models image: the files of MODELS and their SHA256SUMS under /models, on a base holding only Debian's static
# busybox (its copy step, for clusters without image volumes), built by Jib (pom.xml execution `models`) without a
# daemon. The kubelet pulls it; the service image's `verify-models` checks it before the service starts
# (docs/models.md).
#   target/jib/task-api-models.tar   $(IMG_REPO)-models:$(VERSION)

##@ Models

# The directory the models image is built from (its files must all be listed in its SHA256SUMS).
MODELS ?= models

models_jib = $(MVN) $(MVN_FLAGS) -q -DskipTests -Djib.console=plain package jib:$(1)@models \
  -Dimage.models.dir="$(abspath $(MODELS))" -Dimage.revision="$$(git rev-parse HEAD 2>/dev/null || echo unknown)"

.PHONY: models-base
models-base: ## Build the models image's base (target/bases/copier.tar: Debian's busybox-static alone; cached).
	src/scripts/bases.sh --out target/bases copier

.PHONY: models-image
models-image: models-base ## Build the models image from MODELS (default models/): target/jib/task-api-models.tar.
	$(call require,$(MVN),install Maven (apt-get install maven))
	@[ -f "$(MODELS)/SHA256SUMS" ] || { echo "error: $(MODELS)/SHA256SUMS is missing: list every model's sha256 (models/README.md)" >&2; exit 1; }
	$(call models_jib,buildTar) -Dimage.repo=$(IMG_REPO)
	@echo "models image: target/jib/task-api-models.tar ($$(stat -c %s target/jib/task-api-models.tar) bytes)" \
	  "$$(cat target/jib/task-api-models.digest)"

.PHONY: models-push
models-push: models-base ## Push the models image to REGISTRY/task-api-models:VERSION (mk/registry.mk) and print its digest; PIN=k8s/overlays/X pins X.
	$(call require,$(MVN),install Maven (apt-get install maven))
	@[ -f "$(MODELS)/SHA256SUMS" ] || { echo "error: $(MODELS)/SHA256SUMS is missing: list every model's sha256 (models/README.md)" >&2; exit 1; }
	@. src/scripts/lib.sh && tk_registry_answers "$(firstword $(subst /, ,$(REGISTRY)))" || \
	  { echo "error: no registry answers on $(REGISTRY) (probed 4 s): start one with \`make registry-up\`, or set REGISTRY=host:port" >&2; exit 1; }
	$(call models_jib,build) -Dimage.repo=$(REGISTRY)/task-api \
	  $$(src/scripts/lib.sh jib-registry-flags $(REGISTRY))
	@echo "pushed $(REGISTRY)/task-api-models:$(VERSION) = $(REGISTRY)/task-api-models@$$(cat target/jib/task-api-models.digest)"
	$(if $(PIN),src/scripts/pin-image.sh $(PIN)/kustomization.yaml task-api-models $(REGISTRY)/task-api-models "$$(cat target/jib/task-api-models.digest)")
