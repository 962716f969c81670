# intune-passcode: the two commands a newcomer runs are `make demo` and `make test`.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
EMU := scripts/emulator.sh
STATE := target/demo-emulator.json
EXAMPLE := target/debug/examples/reset_passcode

.PHONY: docs dist dist-check lint-workflows all build demo test test-snippets lint test-rust test-python python-dev test-node node-dev test-c c-example release bench bench-peers bench-tools bench-smoke debug-workers soak soak-smoke fuzz test-sanitize mutants clean
VENV := .venv
PY := $(VENV)/bin/python

all: build

## build: the workspace, the emulator binary and the examples (debug)
build:
	$(CARGO) build --workspace --bins --examples

## demo: start the emulator, reset passcodes through each route, print the receipts
demo: build python-dev node-dev c-example
	@$(EMU) start $(STATE) --throttle on
	@trap '$(EMU) stop $(STATE)' EXIT; \
	get() { $(EMU) get $(STATE) "$$1"; }; \
	url=$$(get graph_url); tok=$$(get token); \
	echo "== emulator at $$url"; \
	echo "== The command line: 230 devices from a CSV as the Intune portal exports it (Windows and macOS rows skipped; paced, though fewer than Intune's 200 writes per 20 s never wait)"; \
	rm -rf target/demo-state; mkdir -p target/demo-state; \
	android=$$($(PY) -c 'import json,sys,urllib.request; \
	  d=json.load(urllib.request.urlopen(sys.argv[1]+"/_emulator/devices"))[:230]; \
	  open("target/demo-state/devices.csv","w").write("Device name,Device ID,OS\n"+"".join("d%d,%s,%s\n"%(i,x["id"],x["platform"]) for i,x in enumerate(d))); \
	  print(next(x["id"] for x in d if x["platform"].startswith("android") and not x.get("offline") and not x.get("noResetToken")))' \
	  $$(get authority_url)); \
	export INTUNE_PASSCODE_STATE_DIR=target/demo-state AZURE_TENANT_ID=$$(get tenant_id) AZURE_CLIENT_ID=$$(get client_id) \
	  AZURE_CLIENT_SECRET=$$(get client_secret) AZURE_AUTHORITY_HOST=$$(get authority_url); \
	echo "\$$ intune-passcode reset --input devices.csv --yes --report report.csv"; \
	target/debug/intune-passcode reset --input target/demo-state/devices.csv --yes --base-url $$url \
	  --report target/demo-state/report.csv > target/demo-state/out.txt || echo "(exit $$?: some devices are Windows or macOS)"; \
	echo "\$$ tail -2 of its stdout (one line per device)"; tail -2 target/demo-state/out.txt; \
	echo "\$$ head -3 report.csv"; head -3 target/demo-state/report.csv; \
	job=$$(target/debug/intune-passcode jobs list | awk 'NR==2{print $$1}'); \
	echo "\$$ intune-passcode jobs show $$job"; target/debug/intune-passcode jobs show $$job | head -16; \
	echo "\$$ intune-passcode status $$android --wait 10 --show-passcode"; \
	target/debug/intune-passcode status $$android --wait 10 --show-passcode --base-url $$url; \
	unset AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET AZURE_AUTHORITY_HOST; \
	echo "== /deviceManagement/managedDevices/{id}/resetPasscode"; \
	$(EXAMPLE) --base-url $$url --token $$tok --device $$(get samples.device_id); \
	echo "== /users/{u}/managedDevices/{id}/resetPasscode"; \
	$(EXAMPLE) --base-url $$url --token $$tok --device $$(get samples.device_id) --user $$(get samples.user_id); \
	echo "== /deviceManagement/detectedApps/{a}/managedDevices/{id}/resetPasscode, client credentials"; \
	$(EXAMPLE) --base-url $$url --authority-url $$(get authority_url) --tenant-id $$(get tenant_id) \
	  --client-id $$(get client_id) --client-secret $$(get client_secret) \
	  --device $$(get samples.detected_app_device_id) --detected-app $$(get samples.detected_app_id); \
	echo "== a Windows device (Intune does not support the action there): the error and its code"; \
	$(EXAMPLE) --base-url $$url --token $$tok --device $$(get samples.windows_device_id) || echo "(exit $$?, as expected)"; \
	echo "== After a reset: read it back from the device's record (Rust), an Android device and an iOS device"; \
	target/debug/examples/read_back $$url $$tok $$(get samples.device_id) $$(get samples.ios_device_id); \
	echo "== Python: one reset, then a bulk run with progress"; \
	$(PY) bindings-python/examples/reset.py $$url $$tok $$(get samples.device_id) \
	  $$(get samples.ios_device_id) $$(get samples.windows_device_id) $$(get samples.detected_app_device_id); \
	echo "== Python: read resets back (Android: the new passcode; iOS: removed)"; \
	$(PY) bindings-python/examples/read_back.py $$url $$tok $$(get samples.detected_app_device_id) $$(get samples.ios_device_id); \
	echo "== Node: one reset, then a bulk run with progress"; \
	node bindings-node/examples/reset.mjs $$url $$tok $$(get samples.device_id) \
	  $$(get samples.ios_device_id) $$(get samples.windows_device_id); \
	echo "== C: one reset, then a bulk run with progress"; \
	target/c-install/reset $$url $$tok $$(get samples.device_id) $$(get samples.ios_device_id) $$(get samples.windows_device_id)

## dist: the release artefacts for linux x86_64 (glibc 2.17) into dist/: wheel + sdist, npm tarballs, C archive
dist:
	scripts/dist.sh

## dist-check: install dist/ as a user would (no cargo, no network) and reset devices through each front door
dist-check:
	$(CARGO) build -p graph-emulator
	scripts/dist-check.sh

## lint-workflows: actionlint (v1.7.12, built with go into .tools) over .github/workflows
lint-workflows:
	@[ -x .tools/actionlint ] || GOBIN=$(abspath .tools) go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
	.tools/actionlint .github/workflows/*.yml

## test: everything CI runs (installs what it needs)
test: lint test-rust test-python test-node test-c test-snippets bench-smoke soak-smoke

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	python3 scripts/module_graph.py --check
	python3 scripts/snippets.py rust --check

## test-snippets: every Python, JS and C snippet of the README and docs/ runs against the emulator (Rust ones compile
## in test-rust)
test-snippets: python-dev node-dev c-example
	$(CARGO) build -p graph-emulator
	python3 scripts/snippets.py run

test-rust:
	$(CARGO) build --workspace
	$(CARGO) build --workspace --examples
	$(CARGO) test --workspace

## python-dev: a venv with maturin, pytest and mypy, and the binding built into it (editable)
$(VENV)/.deps: bindings-python/requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r bindings-python/requirements-dev.txt
	touch $@

python-dev: $(VENV)/.deps
	VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/maturin develop -q --manifest-path bindings-python/Cargo.toml

test-python: python-dev
	$(CARGO) build -p graph-emulator -p intune-passcode-cli
	$(PY) -m pytest -q bindings-python/tests

## node-dev: npm ci and the addon built (debug); the generated index.js/index.d.ts must not change
bindings-node/node_modules/.package-lock.json: bindings-node/package-lock.json
	cd bindings-node && npm ci --no-audit --no-fund

node-dev: bindings-node/node_modules/.package-lock.json
	cd bindings-node && npm run build:debug

test-node: node-dev
	git diff --exit-code -- bindings-node/index.js bindings-node/index.d.ts || \
	  (echo "bindings-node/index.js or index.d.ts changed when rebuilt: commit the regenerated files" >&2; exit 1)
	$(CARGO) build -p graph-emulator -p intune-passcode-cli
	cd bindings-node && node --test __test__/

## c-example: install the C library into target/c-install (debug) and build the example with pkg-config, linked
## to the shared library (reset) and to the static one (reset-static), as the docs say to
C_PREFIX := $(abspath target/c-install)
C_STRICT := -std=c11 -Wall -Wextra -Werror -pedantic
c-example:
	$(MAKE) -C bindings-c install PREFIX=$(C_PREFIX) PROFILE=debug
	cc $(C_STRICT) bindings-c/examples/reset.c \
	  $$(PKG_CONFIG_PATH=$(C_PREFIX)/lib/pkgconfig pkg-config --cflags --libs intune_passcode) \
	  -Wl,-rpath,$(C_PREFIX)/lib -o target/c-install/reset
	cc $(C_STRICT) bindings-c/examples/reset.c \
	  $$(PKG_CONFIG_PATH=$(C_PREFIX)/lib/pkgconfig pkg-config --cflags --libs intune_passcode-static) \
	  -o target/c-install/reset-static
	@if ldd target/c-install/reset-static | grep -q libintune_passcode; then \
	  echo "reset-static links the shared library: intune_passcode-static.pc is wrong" >&2; exit 1; fi

## test-c: the C suite (vectors, hostile input, bulk, threads, valgrind) runs in test-rust; here the install route
test-c: c-example
	@$(EMU) start target/test-c-emulator.json --throttle off
	@trap '$(EMU) stop target/test-c-emulator.json' EXIT; \
	for program in reset reset-static; do \
	  out=$$(target/c-install/$$program $$($(EMU) get target/test-c-emulator.json graph_url) \
	    $$($(EMU) get target/test-c-emulator.json token) $$($(EMU) get target/test-c-emulator.json samples.device_id) \
	    $$($(EMU) get target/test-c-emulator.json samples.windows_device_id)); echo "$$program: $$out"; \
	  grep -q "HTTP 204" <<<"$$out" && grep -q "UNSUPPORTED_DEVICE" <<<"$$out" || exit 1; \
	done
	@# The README's CMake route from a clone: find_package on what `make -C bindings-c install` installed.
	cmake -S tests/user-project/c -B target/test-c-cmake -DCMAKE_PREFIX_PATH=$(C_PREFIX) \
	  -DGRAPH_EMULATOR=$(abspath target/debug/graph-emulator) >/dev/null
	cmake --build target/test-c-cmake >/dev/null
	cd target/test-c-cmake && ctest --output-on-failure

## bench: issue 6's side-by-side run (release builds; Microsoft's SDKs, httpx, fetch, oha and graph-rs-sdk are
## installed under bench/ and .tools/, never committed); prints the tables and writes bench/results.md
PEERS_VENV := bench/.venv-peers
OHA_VERSION := 1.16.0
$(PEERS_VENV)/.deps: bench/peers/requirements.txt
	python3 -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/pip install -q -r bench/peers/requirements.txt
	touch $@

bench/peers/node_modules/.package-lock.json: bench/peers/package-lock.json
	cd bench/peers && npm ci --no-audit --no-fund

bench-peers: $(PEERS_VENV)/.deps bench/peers/node_modules/.package-lock.json

bench-tools:
	test -x .tools/bin/oha || $(CARGO) install --locked --root .tools oha@$(OHA_VERSION)
	cd bench/graph-rs && CARGO_TARGET_DIR=$(abspath bench/.graph-rs-target) $(CARGO) build --release --locked

## release: every front door built in release (the bench and the soak measure these)
release: $(VENV)/.deps bindings-node/node_modules/.package-lock.json
	$(CARGO) build --release -p graph-emulator -p intune-passcode -p intune-passcode-cli --bins --examples
	$(CARGO) build --release -p intune-passcode-c
	VIRTUAL_ENV=$(abspath $(VENV)) $(VENV)/bin/maturin develop -q --release --manifest-path bindings-python/Cargo.toml
	cd bindings-node && npm run build
	cc -O2 -std=c11 -Wall -Wextra -Ibindings-c/include bindings-c/bench/bench.c target/release/libintune_passcode.a \
	  -lpthread -ldl -lm -o target/release/c-bench

bench: release bench-peers bench-tools
	python3 bench/run.py
	target/release/examples/bench_scan 1000 1000 | tee target/bench-scan.json

## debug-workers: the bench/soak workers on debug builds (for the smoke runs inside `make test`)
debug-workers: build python-dev node-dev
	$(CARGO) build -p intune-passcode-c
	cc -std=c11 -Wall -Wextra -Werror -Ibindings-c/include bindings-c/bench/bench.c target/debug/libintune_passcode.a \
	  -lpthread -ldl -lm -o target/debug/c-bench

## bench-smoke: the bench harness at tiny sizes on debug builds, each worker checked for one outcome per device
## (part of `make test`, so that `make bench` keeps working; it measures nothing)
bench-smoke: debug-workers bench-peers
	python3 bench/run.py --smoke --profile debug --out target/bench-smoke.md
	$(CARGO) build -p graph-emulator --examples

## soak: the fault soak, 10,000 devices through each language's bulk API, and the crash-resume soak, 3,000 devices
## killed 10 times each (release); tables in target/soak.md and target/crash-soak.md
soak: release
	python3 tests/soak/run.py --devices 10000 --out target/soak.md
	python3 tests/soak/crash.py --devices 3000 --kills 10 --out target/crash-soak.md

## soak-smoke: the same soaks, small, on debug builds (part of `make test`)
soak-smoke: debug-workers
	python3 tests/soak/run.py --devices 1000 --profile debug
	python3 tests/soak/crash.py --devices 600 --kills 3 --profile debug

## fuzz: each cargo-fuzz target for FUZZ_SECONDS (nightly toolchain; cargo-fuzz installed under .tools/)
FUZZ_SECONDS ?= 600
fuzz:
	test -x .tools/bin/cargo-fuzz || $(CARGO) install --locked --root .tools cargo-fuzz@0.13.2
	cd core && for t in route parsers journal cli_input; do \
	  PATH=$(abspath .tools/bin):$$PATH cargo +nightly fuzz run -O $$t fuzz/corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 || exit 1; done

## mutants: cargo-mutants over the core's decision code (.cargo/mutants.toml), the core suite as the oracle; hours on
## 2 cores, so not in `make test`. Summary in target/mutants/mutants.out; the table is kept in docs/reliability.md
MUTANTS_VERSION := 27.1.0
mutants:
	test -x .tools/bin/cargo-mutants || $(CARGO) install --locked --root .tools cargo-mutants@$(MUTANTS_VERSION)
	.tools/bin/cargo-mutants mutants -j 1 --output target/mutants $(MUTANTS_ARGS)

## docs: the documentation site, into target/site/: the guides, and an API reference per language built from what
## ships (rustdoc, typedoc over the .d.ts, mkdocstrings over the built Python package, the C header's comments).
## A broken link, or a public name without documentation, fails it (scripts/docs_site.py)
DOCS_VENV := .venv-docs
$(DOCS_VENV)/.deps: docs/tools/requirements.txt
	python3 -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/pip install -q -r docs/tools/requirements.txt
	touch $@

docs/tools/node_modules/.package-lock.json: docs/tools/package-lock.json
	cd docs/tools && npm ci --no-audit --no-fund

docs: $(DOCS_VENV)/.deps docs/tools/node_modules/.package-lock.json python-dev
	NO_MKDOCS_2_WARNING=1 DOCS_VENV=$(abspath $(DOCS_VENV)) python3 scripts/docs_site.py

## test-sanitize: the C suite (which runs under ASan+UBSan and valgrind) on its own
test-sanitize:
	$(CARGO) build -p intune-passcode-c
	$(CARGO) test -p intune-passcode-c --test c_suite

clean:
	$(CARGO) clean
