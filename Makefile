# Two commands do everything on a fresh Debian or Ubuntu machine:
#   make run    build and open the app on the embedded sandbox
#   make test   run every test (no display or network needed; Xvfb, D-Bus and a real keyring are set up)
SHELL := /bin/bash
GO := $(shell scripts/go.sh)
TAGS := migrated_fynedo
BIN := rescue-companion
VERSION := $(shell sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
LDFLAGS := -X main.version=$(VERSION)

BUILD_DEPS := gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev ca-certificates git
TEST_DEPS := xvfb xauth dbus dbus-x11 gnome-keyring imagemagick xdotool x11-utils

export GOFLAGS := -mod=readonly
export LANG := en_US.UTF-8

.PHONY: run build test lint deps test-deps sandbox goldens clean package-windows package-linux packages verify-packages

run: build
	./$(BIN) --sandbox

build: deps
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) ./app

sandbox: build
	./$(BIN) sandbox

test: deps test-deps
	GO=$(GO) TAGS=$(TAGS) scripts/test.sh

lint: deps
	GO=$(GO) TAGS=$(TAGS) scripts/lint.sh

# Accept the current rendering of every screen as the new golden markup (look at the diff first).
goldens:
	for d in $$(find . -path '*/testdata/failed' -type d); do cp -r $$d/. $$d/..; rm -rf $$d; done

deps:
	@scripts/deps.sh $(BUILD_DEPS)

test-deps:
	@scripts/deps.sh $(TEST_DEPS)

# Installers: a signed MSI and exe for Windows (RC_SIGN_* name the certificate; unsigned without),
# a tarball and a .deb for Linux, all in dist/. verify-packages builds and signs them with a throwaway
# certificate and checks the signatures and the tables.
package-windows: deps
	GO=$(GO) TAGS=$(TAGS) scripts/package-windows.sh

package-linux: deps
	GO=$(GO) TAGS=$(TAGS) scripts/package-linux.sh

packages: package-windows package-linux

verify-packages: deps
	GO=$(GO) TAGS=$(TAGS) scripts/verify-packages.sh

clean:
	rm -rf $(BIN) shots dist
