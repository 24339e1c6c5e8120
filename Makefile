# The two commands a newcomer needs: `make run` and `make test`. See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails (invitations, password resets) point where the app is served, unless set;
# served on every interface (HOST=0.0.0.0), a link to 0.0.0.0 opens nothing: localhost then.
LINK_HOST = $(if $(filter 0.0.0.0 ::,$(HOST)),localhost,$(HOST))
SITE_URL ?= http://$(LINK_HOST):$(PORT)
# The demo's accounts share a published password, so `make run` asks them for no second factor
# unless told (`make run MFA_REQUIRED_ROLES=assessor,tutor,iqa,staff,eqa`; docs/integrations.md).
MFA_REQUIRED_ROLES ?=
RUN_ENV = DEBUG=1 SITE_URL=$(SITE_URL) MFA_REQUIRED_ROLES=$(MFA_REQUIRED_ROLES)

.PHONY: run test setup lint typecheck format check-migrations collectstatic worker beat clean cluster cluster-stop cluster-status cluster-check load faults backup

RUN_PACKAGES := libmagic1 fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 chromium tesseract-ocr tesseract-ocr-eng
# xmlsec1: the tests' SAML identity provider (pysaml2) signs with it (tests/sso/saml_idp.py).
TEST_PACKAGES := $(RUN_PACKAGES) xmlsec1

run: setup
	./scripts/ensure-debian-packages $(RUN_PACKAGES)
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py import_framework frameworks/*.yaml
	$(RUN_ENV) $(PY) manage.py credential_key
	$(RUN_ENV) $(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ — log in as tutor, assessor, iqa or learner (see README)."
	$(RUN_ENV) ./scripts/run-embedded $(HOST):$(PORT)

test: setup
	./scripts/ensure-debian-packages $(TEST_PACKAGES)
	$(PY) -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed node_modules/.installed

# The production shape on loopback: HAProxy (TLS) in front of two gunicorn instances, two Celery
# workers and beat, PostgreSQL, Redis and an S3 protocol server (docs/deployment.md).
cluster: setup
	./scripts/cluster start

cluster-stop:
	./scripts/cluster stop

cluster-status:
	./scripts/cluster status

# The load test against the running cluster: bounded users and time, a JSON summary (docs/deployment.md).
LOAD_ARGS ?=
load: .venv-load/.installed
	$(PY) load/run.py $(LOAD_ARGS)

.venv-load/.installed: requirements-load.txt
	@test -x .venv-load/bin/python || "$$(./scripts/find-python)" -m venv .venv-load
	.venv-load/bin/python -m pip install --quiet -r requirements-load.txt
	@touch $@

# Faults under traffic against the running cluster, each with its asserted outcome (docs/deployment.md).
faults:
	eval "$$(./scripts/cluster env)" && $(PY) load/faults.py

# One learner's journey through the running cluster (TLS, both web instances, S3, a worker's PDF).
cluster-check:
	eval "$$(./scripts/cluster env)" && $(PY) load/cluster_check.py

# The app's packages (requirements.txt) and the tests' and developers' tools (requirements-dev.txt,
# which includes the first): `make test` needs pytest, `make typecheck` mypy.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || "$$(./scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy with the Django plugin over the whole project; the policy is in docs/typing.md.
typecheck: setup
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-migrations: setup
	$(RUN_ENV) $(PY) manage.py makemigrations --check --dry-run

collectstatic: setup
	$(PY) manage.py collectstatic --noinput

# A Celery worker for deployments with REDIS_URL set.
worker: setup
	$(VENV)/bin/celery -A config worker --loglevel=info --concurrency=2

# Celery beat, beside the workers: runs the outbox sweeper (docs/background-work.md). One per site.
beat: setup
	@mkdir -p var
	$(VENV)/bin/celery -A config beat --loglevel=info --schedule=var/celerybeat-schedule

# The database, the stored files and a manifest into var/backups/ (or BACKUP_DIR): docs/deployment.md.
backup: $(VENV)/.installed
	./scripts/backup

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
