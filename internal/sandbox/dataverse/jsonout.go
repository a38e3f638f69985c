package dataverse

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// field is one member of an object, kept in order: Dataverse puts each annotation right before the
// property it annotates, and clients and golden files read them in that order.
type field struct {
	key string
	val any
}

// object is a JSON object whose members keep their order.
type object []field

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := encodeValue(&b, o); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// encodeValue writes v as JSON without HTML escaping, as Dataverse does.
func encodeValue(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case object:
		b.WriteByte('{')
		for i, f := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			encodeString(b, f.key)
			b.WriteByte(':')
			if err := encodeValue(b, f.val); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case []object:
		b.WriteByte('[')
		for i, o := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := encodeValue(b, o); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case time.Time:
		encodeString(b, wireTime(x))
	case string:
		encodeString(b, x)
	case int:
		b.WriteString(strconv.Itoa(x))
	case json.Number:
		b.WriteString(x.String())
	default:
		raw, err := json.Marshal(x)
		if err != nil {
			return err
		}
		b.Write(raw)
	}
	return nil
}

func encodeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Truncate(b.Len() - 1)
}

// setODataHeaders sets the headers every Dataverse response carries.
func setODataHeaders(h http.Header) {
	h.Set("OData-Version", "4.0")
}

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, body any) {
	var b bytes.Buffer
	if err := encodeValue(&b, body); err != nil {
		status, b = http.StatusInternalServerError, *bytes.NewBufferString(`{"error":{"code":"0x80040216","message":"An unexpected error occurred."}}`)
	}
	h := w.Header()
	setODataHeaders(h)
	h.Set("Content-Type", "application/json; odata.metadata=minimal")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// writeNoContent answers 204 with the OData headers.
func writeNoContent(w http.ResponseWriter) {
	setODataHeaders(w.Header())
	w.WriteHeader(http.StatusNoContent)
}
