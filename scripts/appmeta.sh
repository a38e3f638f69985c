# appmeta.sh: sourced by the packaging scripts. FyneApp.toml is the single source of the app's name,
# ID and version; this reads them into name, app_id, version (checked to be MAJOR.MINOR.PATCH), and
# offers toml SECTION KEY for any other value ("" is the top level). Run from the repository's root.

# toml SECTION KEY: a string or integer value of FyneApp.toml.
toml() {
  awk -v want="$1" -v key="$2" '
    BEGIN { section = "" }
    /^[[:space:]]*\[/ { section = $0; gsub(/^[[:space:]]*\[|\][[:space:]]*$/, "", section); next }
    section == want && $0 ~ "^[[:space:]]*" key "[[:space:]]*=" {
      sub(/^[^=]*=[[:space:]]*/, ""); sub(/[[:space:]]*$/, ""); gsub(/^"|"$/, ""); print; exit
    }' FyneApp.toml
}

name=$(toml Details Name)
app_id=$(toml Details ID)
version=$(toml Details Version)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "FyneApp.toml: Version \"$version\" is not MAJOR.MINOR.PATCH" >&2; exit 1; }
if [ -z "$name" ] || [ -z "$app_id" ]; then echo "FyneApp.toml: Name and ID are required" >&2; exit 1; fi
