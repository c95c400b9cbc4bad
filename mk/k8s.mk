##@ Kubernetes

# kind cluster and kube context (kind names the context kind-<cluster>).
KIND_CLUSTER ?= task-api
KUBE_CONTEXT ?= kind-$(KIND_CLUSTER)
# The slim image as a docker-archive tar, written by the images build (mk/images.mk).
K8S_IMAGE_TAR ?= target/jib/task-api-slim.tar
K8S_IMAGE_GOAL ?= image
# Local port for `make port-forward` (kubectl binds 127.0.0.1 only) and for `make podman-deploy`.
PORT_FORWARD_PORT ?= 8080
PODMAN_HOST_PORT ?= 18080
ROLLOUT_TIMEOUT ?= 180s
# What kind-deploy deploys: kind (PostgreSQL, two replicas) or kind-memory (one pod, tasks in memory).
KIND_OVERLAY ?= kind

KUBECTL_KIND = kubectl --context $(KUBE_CONTEXT)
# kind's node provider: ENGINE when you name it (make kind-deploy ENGINE=podman), else kind's own default, docker,
# when its daemon answers (kind on podman needs rootful podman or cgroup v2 delegation), else the chosen engine.
KIND_ENGINE = $(or $(if $(ENGINE_GIVEN),$(CONTAINER_ENGINE)),$(shell ENGINE=docker src/scripts/lib.sh require-engine kind >/dev/null 2>&1 && echo docker),$(CONTAINER_ENGINE))
KIND = KIND_EXPERIMENTAL_PROVIDER=$(notdir $(KIND_ENGINE)) kind

.PHONY: k8s-render
k8s-render: ## Render every kustomize overlay into target/k8s/<overlay>.yaml (what the manifest tests check).
	$(call require,kubectl,install kubectl: https://kubernetes.io/docs/tasks/tools/)
	@mkdir -p target/k8s
	@for o in base overlays/kind-memory overlays/kind overlays/podman overlays/production; do \
	  out=target/k8s/$$(basename $$o).yaml; kubectl kustomize k8s/$$o >$$out; echo "k8s/$$o -> $$out"; done

.PHONY: k8s-image
k8s-image: ## Build the slim image tar the deployments run (target/jib/task-api-slim.tar, via make image).
	$(MAKE) --no-print-directory $(K8S_IMAGE_GOAL)
	@[ -f $(K8S_IMAGE_TAR) ] || { echo "error: $(K8S_IMAGE_GOAL) did not write $(K8S_IMAGE_TAR)" >&2; exit 1; }

.PHONY: kind-up
kind-up: ## Create the kind cluster from k8s/kind/cluster.yaml (models/ mounted into the node), or check that the existing one mounts this models/; models/ must be readable by uid 65532.
	$(call require,kind,install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation)
	$(call require,kubectl,install kubectl: https://kubernetes.io/docs/tasks/tools/)
	$(require_engine)
	ENGINE=$(KIND_ENGINE) KUBE_CONTEXT=$(KUBE_CONTEXT) src/scripts/kind.sh up $(KIND_CLUSTER) models

.PHONY: kind-load
kind-load: kind-up k8s-image ## Load the slim image tar into the kind node (kind load image-archive).
	@# The overlay runs other images too (the database's, which the node pulls): check task-api's only.
	@want=$$(kubectl kustomize k8s/overlays/$(KIND_OVERLAY) | sed -n 's#^ *image: \(\([^ ]*/\)\{0,1\}task-api:[^ ]*\)$$#\1#p' | sort -u); \
	  [ "$$want" = "$(IMG)" ] || { echo "error: k8s/overlays/$(KIND_OVERLAY) deploys '$$want' but the build makes $(IMG): update images: newTag in k8s/overlays/kind-memory" >&2; exit 1; }
	$(KIND) load image-archive $(K8S_IMAGE_TAR) --name $(KIND_CLUSTER)

.PHONY: kind-deploy
kind-deploy: kind-load ## Build, load and deploy to kind (k8s/overlays/kind: PostgreSQL; KIND_OVERLAY=kind-memory: one pod) in one apply, wait for the claim and the rollouts. Idempotent.
	KUBE_CONTEXT=$(KUBE_CONTEXT) ROLLOUT_TIMEOUT=$(ROLLOUT_TIMEOUT) src/scripts/kind.sh deploy $(KIND_OVERLAY) $(K8S_IMAGE_TAR)
	@echo "deployed k8s/overlays/$(KIND_OVERLAY). Reach the service:"
	@echo "  $(KUBECTL_KIND) port-forward svc/task-api $(PORT_FORWARD_PORT):80   # in one terminal (or: make port-forward)"
	@echo "  curl -s localhost:$(PORT_FORWARD_PORT)/health/ready; curl -s localhost:$(PORT_FORWARD_PORT)/tasks   # in another"

.PHONY: port-forward
port-forward: ## Forward localhost:8080 (PORT_FORWARD_PORT) to svc/task-api port 80 in kind (Ctrl-C stops).
	$(call require,kubectl,install kubectl: https://kubernetes.io/docs/tasks/tools/)
	$(KUBECTL_KIND) port-forward svc/task-api $(PORT_FORWARD_PORT):80

# kind-load, then the cluster tests (test-e2e: the Makefile) against it; a sub-make keeps that order under -j.
.PHONY: kind-test
kind-test: kind-load ## Create and load the kind cluster (kind-load), then run the cluster tests (DeploymentIT) against it: fails, never skips, without the cluster.
	$(MAKE) --no-print-directory e2e-tests

.PHONY: kind-down
kind-down: ## Delete the kind cluster.
	$(call require,kind,install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation)
	$(KIND) delete cluster --name $(KIND_CLUSTER)

# The PostgreSQL image podman kube play runs (kind pulls the upstream one): built here from Debian's
# postgresql-15 by the bases pipeline (cached; rebuilt only when its inputs change).
K8S_PG_IMAGE_TAR ?= target/bases/postgres15.tar
# `make test` builds it first where a container engine exists (the Makefile's TEST_PREREQS), `make container-test`
# too: the podman kube play tests and the slim image's TLS tests (SlimImageIT, under either engine) run it
# (mandatory in CI).

.PHONY: k8s-postgres-image
k8s-postgres-image: ## Build the PostgreSQL image for podman kube play (target/bases/postgres15.tar, Debian's postgresql-15).
	src/scripts/bases.sh postgres15

.PHONY: podman-deploy
podman-deploy: k8s-image k8s-postgres-image ## Run the manifests with podman kube play: PostgreSQL pod, then task-api on 127.0.0.1:18080 (PODMAN_HOST_PORT).
	$(call require,podman,install podman (apt-get install podman))
	$(call require,kubectl,install kubectl: https://kubernetes.io/docs/tasks/tools/)
	IMG=$(IMG) IMAGE_TAR=$(K8S_IMAGE_TAR) PG_IMAGE_TAR=$(K8S_PG_IMAGE_TAR) HOST_PORT=$(PODMAN_HOST_PORT) src/scripts/podman-deploy.sh up

.PHONY: podman-replace-api
podman-replace-api: ## Replace the task-api pod of podman-deploy (a rollout), keeping the database pod and its data.
	$(call require,podman,install podman (apt-get install podman))
	IMG=$(IMG) HOST_PORT=$(PODMAN_HOST_PORT) src/scripts/podman-deploy.sh replace-api

.PHONY: podman-down
podman-down: ## Remove what podman-deploy created: both pods and every volume, the database's too (KEEP_DATA=1 keeps it).
	$(call require,podman,install podman (apt-get install podman))
	HOST_PORT=$(PODMAN_HOST_PORT) src/scripts/podman-deploy.sh down $(if $(filter 1,$(KEEP_DATA)),--keep-data,)
