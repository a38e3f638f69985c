package policy

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// maxPlistDepth bounds the nesting of arrays and dictionaries, so a hostile file cannot exhaust
// the stack. Managed preferences are flat; a configuration profile nests three levels.
const maxPlistDepth = 32

// errBinaryPlist is returned for a binary property list, which the XML reader cannot read.
var errBinaryPlist = errors.New("binary property list (convert it with plutil -convert xml1)")

// decodePlist reads an XML property list and returns its top value. Values are a string, an
// int64 (a uint64 above the int64 range), a float64, a bool, a time.Time (<date>), a []byte
// (<data>), a []any (<array>) or a map[string]any (<dict>).
func decodePlist(data []byte) (any, error) {
	if bytes.HasPrefix(data, []byte("bplist")) {
		return nil, errBinaryPlist
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("the file is empty")
	}
	r := plistReader{d: xml.NewDecoder(bytes.NewReader(data))}
	start, err := r.nextElement()
	if err != nil {
		return nil, err
	}
	if start == nil || start.Name.Local != "plist" {
		return nil, errors.New("not a property list: no <plist> element")
	}
	first, err := r.nextElement()
	if err != nil {
		return nil, err
	}
	if first == nil {
		return nil, errors.New("empty <plist>")
	}
	v, err := r.value(*first, 0)
	if err != nil {
		return nil, err
	}
	extra, err := r.nextElement()
	if err != nil {
		return nil, err
	}
	if extra != nil {
		return nil, errors.New("<plist> holds more than one value")
	}
	if err := r.trailer(); err != nil {
		return nil, err
	}
	return v, nil
}

type plistReader struct{ d *xml.Decoder }

// nextElement returns the next start element, or nil at the end of the enclosing element.
// Comments, processing instructions, the DOCTYPE and white space between elements are skipped;
// other text there is an error.
func (r plistReader) nextElement() (*xml.StartElement, error) {
	for {
		tok, err := r.d.Token()
		if err != nil {
			return nil, plistError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return &t, nil
		case xml.EndElement:
			return nil, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, fmt.Errorf("unexpected text %q", clip(string(t)))
			}
		}
	}
}

// trailer checks that nothing but white space and comments follows </plist>.
func (r plistReader) trailer() error {
	for {
		tok, err := r.d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return plistError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return fmt.Errorf("unexpected <%s> after </plist>", t.Name.Local)
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return fmt.Errorf("unexpected text %q after </plist>", clip(string(t)))
			}
		}
	}
}

// value reads the element that start opens, up to and including its end.
func (r plistReader) value(start xml.StartElement, depth int) (any, error) {
	if depth > maxPlistDepth {
		return nil, fmt.Errorf("nested more than %d levels", maxPlistDepth)
	}
	switch start.Name.Local {
	case "dict":
		return r.dict(depth + 1)
	case "array":
		return r.array(depth + 1)
	case "true", "false":
		if err := r.empty(start.Name.Local); err != nil {
			return nil, err
		}
		return start.Name.Local == "true", nil
	}
	text, err := r.text(start.Name.Local)
	if err != nil {
		return nil, err
	}
	return scalar(start.Name.Local, text)
}

func scalar(element, text string) (any, error) {
	switch element {
	case "string":
		return text, nil
	case "integer":
		return parseInteger(strings.TrimSpace(text))
	case "real":
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil {
			return nil, fmt.Errorf("<real> %q is not a number", clip(text))
		}
		return f, nil
	case "date":
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(text))
		if err != nil {
			return nil, fmt.Errorf("<date> %q is not an ISO 8601 date", clip(text))
		}
		return t, nil
	case "data":
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
		if err != nil {
			return nil, fmt.Errorf("<data> is not base64")
		}
		return b, nil
	case "key":
		return nil, errors.New("<key> outside a <dict>")
	}
	return nil, fmt.Errorf("unknown element <%s>", clip(element))
}

// parseInteger reads a decimal integer; CFPropertyList stores values up to 2^64-1.
func parseInteger(s string) (any, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return n, nil
	}
	return nil, fmt.Errorf("<integer> %q is not a whole number", clip(s))
}

func (r plistReader) dict(depth int) (map[string]any, error) {
	m := map[string]any{}
	for {
		start, err := r.nextElement()
		if err != nil || start == nil {
			return m, err
		}
		if start.Name.Local != "key" {
			return nil, fmt.Errorf("<%s> where a <dict> expects <key>", clip(start.Name.Local))
		}
		key, err := r.text("key")
		if err != nil {
			return nil, err
		}
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("key %q appears twice", clip(key))
		}
		start, err = r.nextElement()
		if err != nil {
			return nil, err
		}
		if start == nil {
			return nil, fmt.Errorf("key %q has no value", clip(key))
		}
		if m[key], err = r.value(*start, depth); err != nil {
			return nil, fmt.Errorf("%q: %w", clip(key), err)
		}
	}
}

func (r plistReader) array(depth int) ([]any, error) {
	list := []any{}
	for {
		start, err := r.nextElement()
		if err != nil || start == nil {
			return list, err
		}
		v, err := r.value(*start, depth)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
}

// text reads the character data of an element that may hold nothing else.
func (r plistReader) text(element string) (string, error) {
	var b strings.Builder
	for {
		tok, err := r.d.Token()
		if err != nil {
			return "", plistError(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			return "", fmt.Errorf("<%s> inside <%s>", clip(t.Name.Local), element)
		case xml.EndElement:
			return b.String(), nil
		}
	}
}

// empty reads the end of an element that holds nothing, such as <true/>.
func (r plistReader) empty(element string) error {
	text, err := r.text(element)
	if err == nil && strings.TrimSpace(text) != "" {
		err = fmt.Errorf("<%s> holds text", element)
	}
	return err
}

// plistError makes a truncated file say so, rather than the decoder's bare EOF.
func plistError(err error) error {
	if err == io.EOF {
		return errors.New("the property list ends too early")
	}
	return err
}

// clip keeps an echoed piece of the input short.
func clip(s string) string {
	return display(s)
}
