package dataverse

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
)

// metaBody is a metadata definition as sent (EntityMetadata, AttributeMetadata, EntityKeyMetadata,
// OneToManyRelationshipMetadata): its members by name, checked against the properties its type has.
type metaBody struct {
	typeName string // e.g. EntityMetadata, for messages
	odata    string // @odata.type without "#" and namespace, or ""
	props    map[string]json.RawMessage
}

// readMetaBody checks a request body against the properties a metadata type takes. Instance
// annotations other than @odata.type, and property annotations, describe the payload and are ignored.
func readMetaBody(q *request, typeName string, known []string) (*metaBody, *odataError) {
	props, err := parseBody(q.r, q.body)
	if err != nil {
		return nil, err
	}
	return metaObject(props, typeName, known)
}

// metaObject checks the members of one JSON object.
func metaObject(props []bodyProp, typeName string, known []string) (*metaBody, *odataError) {
	b := &metaBody{typeName: typeName, props: map[string]json.RawMessage{}}
	for _, p := range props {
		switch {
		case p.name == "@odata.type":
			var t string
			if json.Unmarshal(p.raw, &t) != nil {
				return nil, badRequest("The value of '@odata.type' must be a type name.")
			}
			b.odata = strings.TrimPrefix(strings.TrimPrefix(t, "#"), crmNamespace)
		case strings.Contains(p.name, "@"):
		case slices.Contains(known, p.name):
			b.props[p.name] = p.raw
		default:
			return nil, badRequest("The property '%s' does not exist on type '%s%s'. Make sure to only use property names that are defined by the type.", p.name, crmNamespace, typeName)
		}
	}
	return b, nil
}

// nested reads a member that is itself a metadata object, such as the Lookup of a relationship.
func (b *metaBody) nested(name, typeName string, known []string) (*metaBody, bool, *odataError) {
	raw, ok := b.props[name]
	if !ok || isJSONNull(raw) {
		return nil, false, nil
	}
	props, err := parseJSONObject(raw)
	if err != nil {
		return nil, false, err
	}
	nb, err := metaObject(props, typeName, known)
	return nb, true, err
}

// list reads a member that is an array of metadata objects, such as the Attributes of a new table.
func (b *metaBody) list(name, typeName string, known []string) ([]*metaBody, *odataError) {
	raw, ok := b.props[name]
	if !ok || isJSONNull(raw) {
		return nil, nil
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return nil, badRequest("The property '%s' of '%s%s' must be an array.", name, crmNamespace, b.typeName)
	}
	out := make([]*metaBody, 0, len(items))
	for _, item := range items {
		props, err := parseJSONObject(item)
		if err != nil {
			return nil, err
		}
		nb, err := metaObject(props, typeName, known)
		if err != nil {
			return nil, err
		}
		out = append(out, nb)
	}
	return out, nil
}

func isJSONNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// str reads a string member; ok is false when it is absent or null.
func (b *metaBody) str(name string) (string, bool, *odataError) {
	raw, ok := b.props[name]
	if !ok || isJSONNull(raw) {
		return "", false, nil
	}
	var v string
	if json.Unmarshal(raw, &v) != nil {
		return "", false, cannotConvert(raw, "Edm.String")
	}
	return v, true, nil
}

// boolean reads a boolean member; a BooleanManagedProperty ({"Value": true, …}) is read by its Value.
func (b *metaBody) boolean(name string) (bool, bool, *odataError) {
	raw, ok := b.props[name]
	if !ok || isJSONNull(raw) {
		return false, false, nil
	}
	var v bool
	if json.Unmarshal(raw, &v) == nil {
		return v, true, nil
	}
	var managed struct{ Value *bool }
	if json.Unmarshal(raw, &managed) == nil && managed.Value != nil {
		return *managed.Value, true, nil
	}
	return false, false, cannotConvert(raw, "Edm.Boolean")
}

// integer reads a whole-number member.
func (b *metaBody) integer(name string) (int, bool, *odataError) {
	raw, ok := b.props[name]
	if !ok || isJSONNull(raw) {
		return 0, false, nil
	}
	var v int32
	if json.Unmarshal(raw, &v) != nil {
		return 0, false, cannotConvert(raw, "Edm.Int32")
	}
	return int(v), true, nil
}

// stringList reads an array of strings.
func (b *metaBody) stringList(name string) ([]string, bool, *odataError) {
	raw, ok := b.props[name]
	if !ok || isJSONNull(raw) {
		return nil, false, nil
	}
	var v []string
	if json.Unmarshal(raw, &v) != nil {
		return nil, false, badRequest("The property '%s' of '%s%s' must be an array of strings.", name, crmNamespace, b.typeName)
	}
	return v, true, nil
}

// label reads a Label: the text of its first localized label, English (1033) first.
func (b *metaBody) label(name string) (string, bool, *odataError) {
	raw, ok := b.props[name]
	if !ok || isJSONNull(raw) {
		return "", false, nil
	}
	var l struct {
		LocalizedLabels []struct {
			Label        string
			LanguageCode int
		}
	}
	if json.Unmarshal(raw, &l) != nil {
		return "", false, badRequest("The property '%s' of '%s%s' must be a Label with LocalizedLabels.", name, crmNamespace, b.typeName)
	}
	text := ""
	for _, ll := range l.LocalizedLabels {
		if strings.TrimSpace(ll.Label) != "" && (text == "" || ll.LanguageCode == 1033) {
			text = ll.Label
		}
	}
	return text, text != "", nil
}

// required reads a member that must be present, with read, and says so when it is not.
func required[T any](b *metaBody, name string, read func(string) (T, bool, *odataError)) (T, *odataError) {
	v, ok, err := read(name)
	if err == nil && !ok {
		err = invalidArgument("The property '%s' is required to create a %s.", name, b.typeName)
	}
	return v, err
}

// schemaNameRE is a customization prefix (2 to 8 letters or digits, starting with a letter), an
// underscore, and letters, digits or underscores.
var schemaNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{1,7}_[A-Za-z0-9_]{1,50}$`)

// checkSchemaName refuses a schema name without a customization prefix, or with characters a
// logical name cannot hold.
func checkSchemaName(name string) *odataError {
	if !schemaNameRE.MatchString(name) || strings.HasPrefix(strings.ToLower(name), "mscrm_") {
		return invalidArgument("The schema name '%s' is not valid: it must start with a customization prefix such as 'new_' and hold only letters, digits and underscores.", name)
	}
	return nil
}
