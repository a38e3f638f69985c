package dynamics

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/rescuecompanion/rescue-companion/internal/sandbox/fault"
	"github.com/rescuecompanion/rescue-companion/internal/sandbox/world"
)

func TestCreateNoteThenFindIt(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	ctx := context.Background()
	kase, other := openCase(t, w, "camille"), openCase(t, w, "jordan")

	id, err := c.CreateNote(ctx, kase.ID, "Rescue session 812345", "PIN 123456 <ok> & done\nsecond line")
	if err != nil {
		t.Fatal(err)
	}
	rec, ok := fx.fake.Record("annotations", id)
	if !ok || rec["subject"] != "Rescue session 812345" || rec["_objectid_value"] != kase.ID ||
		rec["notetext"] != "PIN 123456 <ok> & done\nsecond line" || rec["_ownerid_value"] != technician(t, w, "camille").SystemUserID {
		t.Fatalf("note %v", rec)
	}
	post := fx.requests()[0]
	wantBody := `{"notetext":"PIN 123456 <ok> & done\nsecond line","objectid_incident@odata.bind":"/incidents(` + kase.ID + `)",` +
		`"subject":"Rescue session 812345"}`
	if post.method != http.MethodPost || post.path != "/api/data/v9.2/annotations" || string(post.body) != wantBody {
		t.Errorf("sent %s %s %s\nwant POST annotations %s", post.method, post.path, post.body, wantBody)
	}

	before := len(fx.requests())
	found, ok, err := c.FindNote(ctx, kase.ID, "812345")
	if err != nil || !ok || found != id {
		t.Errorf("FindNote = %q, %v, %v; want %s", found, ok, err, id)
	}
	get := fx.requests()[before]
	wantQuery := "$select=annotationid,subject&$filter=_objectid_value%20eq%20" + kase.ID + "%20and%20contains(subject,'812345')"
	if get.method != http.MethodGet || get.path != "/api/data/v9.2/annotations" || get.rawQuery != wantQuery {
		t.Errorf("FindNote sent %s %s?%s\nwant GET annotations?%s", get.method, get.path, get.rawQuery, wantQuery)
	}

	for _, tt := range []struct{ name, caseID, marker string }{
		{"another marker", kase.ID, "812346"},
		{"another case", other.ID, "812345"},
	} {
		if id, ok, err := c.FindNote(ctx, tt.caseID, tt.marker); err != nil || ok || id != "" {
			t.Errorf("%s: %q, %v, %v; want not found", tt.name, id, ok, err)
		}
	}
}

func TestFindNoteMatchesTheMarkerExactly(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	ctx := context.Background()
	kase := openCase(t, w, "camille")
	for _, subject := range []string{"Session 10x5", "Session ABC", "Session 7%", "Session [42]x"} {
		if _, err := c.CreateNote(ctx, kase.ID, subject, ""); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		marker string
		found  bool
	}{
		{"10_5", false}, // _ is a LIKE wildcard that would match 10x5
		{"1%5", false},  // so is %
		{"[1]0x5", false},
		{"abc", false}, // LIKE ignores case; the marker does not
		{"ABC", true},
		{"7%", true},
		{"[42]x", true},
		{"O'Hara", false},
	}
	for _, tt := range tests {
		_, found, err := c.FindNote(ctx, kase.ID, tt.marker)
		if err != nil || found != tt.found {
			t.Errorf("FindNote(%q) found %v, %v; want %v", tt.marker, found, err, tt.found)
		}
	}
	if _, _, err := c.FindNote(ctx, kase.ID, ""); err == nil {
		t.Error("FindNote accepted an empty marker")
	}
	if _, _, err := c.FindNote(ctx, "CAS-01001", "x"); err == nil {
		t.Error("FindNote accepted a case number for an ID")
	}
}

func TestCreateNoteNotRetried(t *testing.T) {
	tests := []struct {
		name    string
		rule    fault.Rule
		written bool
	}{
		{"500", fault.Rule{Kind: fault.ServerError}, false},
		{"reply dropped after the write", fault.Rule{Kind: fault.DropAfter}, true},
		{"reply held after the write", fault.Rule{Kind: fault.StallAfter, Delay: 10 * time.Second}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := world.New(testNow)
			fx := newFixture(t, w)
			kase := openCase(t, w, "camille")
			fx.addFault(t, tt.rule)
			tr := fx.srv.Client().Transport.(*http.Transport).Clone()
			tr.ResponseHeaderTimeout = 300 * time.Millisecond
			c, ws := fx.newClient(t, &tokens{token: "tok-camille"}, Options{HTTPClient: &http.Client{Transport: tr}})
			ctx := context.Background()

			if _, err := c.CreateNote(ctx, kase.ID, "Rescue session 812345", "x"); err == nil {
				t.Fatal("CreateNote succeeded through the fault")
			}
			if told, _ := ws.snapshot(); len(told) != 0 || len(fx.requests()) != 1 {
				t.Errorf("%d requests, told %+v; want one, no retry", len(fx.requests()), told)
			}
			// What the caller does next: look before writing again.
			_, found, err := c.FindNote(ctx, kase.ID, "812345")
			if err != nil || found != tt.written {
				t.Errorf("FindNote found %v, %v; want %v", found, err, tt.written)
			}
		})
	}
}

func TestCreateNoteWithoutEntityID(t *testing.T) {
	w := world.New(testNow)
	fx := newFixture(t, w)
	fx.editReplies(func(h http.Header) { h.Del("OData-EntityId") })
	c, _ := fx.newClient(t, &tokens{token: "tok-camille"}, Options{})
	_, err := c.CreateNote(context.Background(), openCase(t, w, "camille").ID, "s", "t")
	if !errors.Is(err, ErrMalformed) || len(fx.requests()) != 1 {
		t.Errorf("err = %v after %d requests, want ErrMalformed after 1", err, len(fx.requests()))
	}
}

func TestLikeLiteral(t *testing.T) {
	tests := []struct{ in, want string }{
		{"812345", "812345"},
		{"a_b%c[d]", "a[_]b[%]c[[]d]"},
		{"é'", "é'"},
	}
	for _, tt := range tests {
		if got := likeLiteral(tt.in); got != tt.want {
			t.Errorf("likeLiteral(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
