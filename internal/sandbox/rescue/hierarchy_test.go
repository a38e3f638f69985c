package rescue

import (
	"slices"
	"strings"
	"testing"
)

// hnode is one node of a getHierarchy_v2 reply, blank line included.
func hnode(id, parent, name, email, description, status, kind string) string {
	return "NodeID:" + id + "\nParentID:" + parent + "\nName:" + name + "\nEmail:" + email +
		"\nDescription:" + description + "\nStatus:" + status + "\nType:" + kind + "\n\n"
}

var (
	rootNode     = hnode("4310001", "", "Contoso Helpdesk", "", "", "Offline", "Root")
	masterNode   = hnode("4310002", "4310001", "Master Administrators", "", "", "Offline", "Masteradministrators")
	adminsNode   = hnode("4310003", "4310001", "Administrators", "", "", "Offline", "Administrators")
	techsNode    = hnode("4310004", "4310001", "Technicians", "", "", "Offline", "Technicians")
	helpdeskNode = hnode("4310010", "4310004", "Helpdesk", "", "", "Offline", "TechnicianGroup")
)

func camilleHNode(status string) string {
	return hnode("4310021", "4310010", "Camille Lefèvre", "camille@contoso-helpdesk.example",
		"Support niveau 2 – Lyon", status, "Technician")
}

func jordanHNode(status string) string {
	return hnode("4310022", "4310010", "Jordan O'Neill", "jordan@contoso-helpdesk.example",
		"Service desk, Dublin", status, "Technician")
}

func priyaHNode(status string) string {
	return hnode("4310023", "4310010", "Priya Natarajan", "priya@contoso-helpdesk.example",
		"Field support lead", status, "Technician")
}

func hierarchy(t *testing.T, s *Server, code string, args ...string) string {
	t.Helper()
	return get(t, s, "getHierarchy_v2", kv(append([]string{"authcode", code}, args...)...))
}

// c2Nodes reads a reply the way C2 (tap-logmeinrescue) does: split on blank lines, drop the status
// and the empty tail, then split each line on its one colon. It fails where C2 would crash.
func c2Nodes(t *testing.T, body string) []map[string]string {
	t.Helper()
	chunks := strings.Split(body, "\n\n")
	if chunks[0] != "OK" || chunks[len(chunks)-1] != "" {
		t.Fatalf("framing: %q", body)
	}
	var nodes []map[string]string
	for _, chunk := range chunks[1 : len(chunks)-1] {
		node := map[string]string{}
		for _, line := range strings.Split(chunk, "\n") {
			kv := strings.Split(line, ":")
			if len(kv) != 2 {
				t.Fatalf("line %q of %q does not split in two", line, body)
			}
			node[kv[0]] = kv[1]
		}
		nodes = append(nodes, node)
	}
	return nodes
}

func nodeIDs(nodes []map[string]string) []string {
	var ids []string
	for _, n := range nodes {
		ids = append(ids, n["NodeID"])
	}
	return ids
}

func TestHierarchyGroupBytes(t *testing.T) {
	s, _ := newServer(t, Options{})
	code := signIn(t, s, "jordan")
	want := "OK\n\n" +
		"NodeID:4310010\nParentID:4310004\nName:Helpdesk\nEmail:\nDescription:\nStatus:Offline\nType:TechnicianGroup\n\n" +
		"NodeID:4310021\nParentID:4310010\nName:Camille Lef\u00e8vre\nEmail:camille@contoso-helpdesk.example\n" +
		"Description:Support niveau 2 \u2013 Lyon\nStatus:Online\nType:Technician\n\n" +
		"NodeID:4310022\nParentID:4310010\nName:Jordan O'Neill\nEmail:jordan@contoso-helpdesk.example\n" +
		"Description:Service desk, Dublin\nStatus:Online\nType:Technician\n\n" +
		"NodeID:4310023\nParentID:4310010\nName:Priya Natarajan\nEmail:priya@contoso-helpdesk.example\n" +
		"Description:Field support lead\nStatus:Offline\nType:Technician\n\n"
	if body := hierarchy(t, s, code, "isnode", "true", "node", "4310010"); body != want {
		t.Errorf("got  %q\nwant %q", body, want)
	}
	// The French name and description travel as UTF-8, byte for byte, whoever asks.
	body := hierarchy(t, s, signIn(t, s, "camille"), "isnode", "true", "node", "4310021")
	if !strings.Contains(body, "Name:Camille Lef\xc3\xa8vre\n") || !strings.Contains(body, "Description:Support niveau 2 \xe2\x80\x93 Lyon\n") {
		t.Errorf("French texts altered: %q", body)
	}
}

func TestHierarchyWholeCompany(t *testing.T) {
	s, _ := newServer(t, Options{})
	want := "OK\n\n" + rootNode + masterNode + adminsNode + techsNode + helpdeskNode +
		camilleHNode("Online") + jordanHNode("Online") + priyaHNode("Offline")
	for _, args := range [][]string{
		nil,
		{"isnode", "false"},
		{"isnode", "false", "node", "4310021"}, // node counts only with isnode=true
		{"isnode", "yes", "node", "4310021"},
		{"filteroffline", "false"},
	} {
		if body := hierarchy(t, s, signIn(t, s, "jordan"), args...); body != want {
			t.Errorf("%q:\ngot  %q\nwant %q", args, body, want)
		}
	}
	// A French caller sees the same texts: types and statuses are not translated.
	if body := hierarchy(t, s, signIn(t, s, "camille")); body != want {
		t.Errorf("French caller:\ngot  %q\nwant %q", body, want)
	}
	nodes := c2Nodes(t, want)
	seen := map[string]bool{}
	for _, n := range nodes {
		if n["ParentID"] != "" && !seen[n["ParentID"]] {
			t.Errorf("node %s comes before its parent %s", n["NodeID"], n["ParentID"])
		}
		seen[n["NodeID"]] = true
	}
	if len(seen) != len(nodes) {
		t.Errorf("node IDs repeat: %q", nodeIDs(nodes))
	}
}

func TestHierarchyIsNode(t *testing.T) {
	s, _ := newServer(t, Options{})
	code := signIn(t, s, "priya")
	cases := []struct {
		node string
		want string
	}{
		{"4310001", "OK\n\n" + rootNode + masterNode + adminsNode + techsNode + helpdeskNode +
			camilleHNode("Online") + jordanHNode("Online") + priyaHNode("Offline")},
		{"4310004", "OK\n\n" + techsNode + helpdeskNode + camilleHNode("Online") + jordanHNode("Online") +
			priyaHNode("Offline")},
		{"4310003", "OK\n\n" + adminsNode},
		{"4310022", "OK\n\n" + jordanHNode("Online")},
		{" +4310022 ", "OK\n\n" + jordanHNode("Online")},
	}
	for _, c := range cases {
		for _, isnode := range []string{"true", "True", " TRUE "} {
			if body := hierarchy(t, s, code, "isnode", isnode, "node", c.node); body != c.want {
				t.Errorf("isnode=%q node=%q:\ngot  %q\nwant %q", isnode, c.node, body, c.want)
			}
		}
	}
}

func TestHierarchyFilterOffline(t *testing.T) {
	s, _ := newServer(t, Options{})
	code := signIn(t, s, "jordan")
	// Priya's console is closed at start; the folders stay although they read Offline.
	want := "OK\n\n" + rootNode + masterNode + adminsNode + techsNode + helpdeskNode +
		camilleHNode("Online") + jordanHNode("Online")
	for _, v := range []string{"true", "TRUE"} {
		if body := hierarchy(t, s, code, "filteroffline", v); body != want {
			t.Errorf("filteroffline=%s:\ngot  %q\nwant %q", v, body, want)
		}
	}
	if body := hierarchy(t, s, code, "isnode", "true", "node", "4310023", "filteroffline", "true"); body != "OK\n\n" {
		t.Errorf("an offline technician's own node: %q", body)
	}
	if nodes := c2Nodes(t, "OK\n\n"); len(nodes) != 0 {
		t.Errorf("an empty reply reads as %d nodes", len(nodes))
	}
	_ = s.SetConsole("priya", true)
	_ = s.SetConsole("camille", false)
	want = "OK\n\n" + helpdeskNode + jordanHNode("Online") + priyaHNode("Online")
	if body := hierarchy(t, s, code, "isnode", "true", "node", "4310010", "filteroffline", "true"); body != want {
		t.Errorf("after the consoles changed:\ngot  %q\nwant %q", body, want)
	}
}

func TestHierarchyStatusFollowsPresence(t *testing.T) {
	s, _ := newServer(t, Options{Pace: -1})
	code := signIn(t, s, "camille")
	observer := signIn(t, s, "jordan")
	status := func() string {
		t.Helper()
		nodes := c2Nodes(t, hierarchy(t, s, observer, "isnode", "true", "node", "4310021"))
		if len(nodes) != 1 {
			t.Fatalf("camille's node: %v", nodes)
		}
		return nodes[0]["Status"]
	}
	steps := []struct {
		what string
		do   func()
		want string
	}{
		{"start", func() {}, "Online"},
		{"away", func() { _ = s.SetAway("camille", true) }, "Away"},
		{"busy", func() {
			ss, _ := s.SessionByPIN(pinOf(t, get(t, s, "requestPINCode", kv("authcode", code))))
			mustAdvance(t, s, ss.ID, 2)
		}, "Busy"},
		{"console closed", func() { _ = s.SetConsole("camille", false) }, "Offline"},
		{"disabled", func() { _ = s.SetUserState("camille", UserDisabled) }, "Disabled"},
	}
	for _, st := range steps {
		st.do()
		if got := status(); got != st.want {
			t.Errorf("%s: status %q, want %q", st.what, got, st.want)
		}
	}
	// A disabled technician is not offline: filteroffline keeps them.
	if body := hierarchy(t, s, observer, "isnode", "true", "node", "4310021", "filteroffline", "true"); body != "OK\n\n"+camilleHNode("Disabled") {
		t.Errorf("disabled, filteroffline: %q", body)
	}
}

func TestHierarchyUserStates(t *testing.T) {
	s, _ := newServer(t, Options{})
	code := signIn(t, s, "jordan")
	_ = s.SetUserState("camille", UserDeleted)
	_ = s.SetUserState("priya", UserDisabled)
	want := "OK\n\n" + rootNode + masterNode + adminsNode + techsNode + helpdeskNode +
		jordanHNode("Online") + priyaHNode("Disabled")
	if body := hierarchy(t, s, code); body != want {
		t.Errorf("deleted and disabled:\ngot  %q\nwant %q", body, want)
	}
	if body := hierarchy(t, s, code, "isnode", "true", "node", "4310021"); body != tokInvalidParamNode {
		t.Errorf("a deleted user's node: %q", body)
	}
	// Without a technician seat, camille is an Administrator under Administrators, as getUser says.
	_ = s.SetUserState("camille", UserNotTechnician)
	admin := hnode("4310021", "4310003", "Camille Lefèvre", "camille@contoso-helpdesk.example",
		"Support niveau 2 – Lyon", "Online", "Administrator")
	want = "OK\n\n" + rootNode + masterNode + adminsNode + admin + techsNode + helpdeskNode +
		jordanHNode("Online") + priyaHNode("Disabled")
	if body := hierarchy(t, s, code); body != want {
		t.Errorf("no technician seat:\ngot  %q\nwant %q", body, want)
	}
	if body := hierarchy(t, s, code, "isnode", "true", "node", "4310003"); body != "OK\n\n"+adminsNode+admin {
		t.Errorf("the administrators' folder: %q", body)
	}
}

func TestHierarchyErrors(t *testing.T) {
	s, _ := newServer(t, Options{})
	code := signIn(t, s, "jordan")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no authcode", []string{"isnode", "true", "node", "4310010"}, tokNotLoggedIn},
		{"wrong authcode", []string{"authcode", "nope"}, tokInvalidSecretAuthCode},
		{"isnode without node", []string{"authcode", code, "isnode", "true"}, tokInvalidParamNode},
		{"node not numeric", []string{"authcode", code, "isnode", "true", "node", "Helpdesk"}, tokInvalidParamNode},
		{"unknown node", []string{"authcode", code, "isnode", "true", "node", "4310099"}, tokInvalidParamNode},
		{"company ID is no node", []string{"authcode", code, "isnode", "true", "node", "1482207"}, tokInvalidParamNode},
		{"node beyond int32", []string{"authcode", code, "isnode", "true", "node", "4294967297"}, tokInvalidParamNode},
	}
	for _, c := range cases {
		if body := get(t, s, "getHierarchy_v2", kv(c.args...)); body != c.want {
			t.Errorf("%s: %q, want %q", c.name, body, c.want)
		}
	}

	s.FailNext("GETHIERARCHY_V2", 1)
	if body := hierarchy(t, s, code); body != tokError {
		t.Errorf("FailNext: %q", body)
	}
	if body := hierarchy(t, s, code); !strings.HasPrefix(body, "OK\n\n") {
		t.Errorf("after the failure: %q", body)
	}

	for _, state := range []UserState{UserDisabled, UserDeleted} {
		_ = s.SetUserState("jordan", state)
		if body := hierarchy(t, s, code); body != tokUserDeletedOrDisabled {
			t.Errorf("caller %s: %q", state, body)
		}
	}
}

func TestHierarchyGetAndPostAnswerAlike(t *testing.T) {
	s, _ := newServer(t, Options{})
	code := signIn(t, s, "jordan")
	args := kv("authcode", code, "isnode", "true", "node", "4310010", "filteroffline", "true")
	g, p := get(t, s, "getHierarchy_v2", args), post(t, s, "gethierarchy_v2", args)
	if g != p || !strings.HasPrefix(g, "OK\n\n") {
		t.Errorf("GET %q\nPOST %q", g, p)
	}
}

func TestHierarchyNodeIDsAreUnique(t *testing.T) {
	s, _ := newServer(t, Options{})
	var ids []int
	for _, n := range s.hierarchy() {
		if slices.Contains(ids, n.id) {
			t.Errorf("node ID %d used twice", n.id)
		}
		ids = append(ids, n.id)
	}
	if slices.Contains(ids, s.org.RescueCompanyID) {
		t.Errorf("a node has the company ID %d", s.org.RescueCompanyID)
	}
}

func TestIsTrue(t *testing.T) {
	for v, want := range map[string]bool{
		"true": true, "True": true, "TRUE": true, " true\t": true, "true\x00": true,
		"": false, "false": false, "1": false, "yes": false, "truely": false, "t rue": false,
	} {
		if got := isTrue(v); got != want {
			t.Errorf("isTrue(%q) = %v", v, got)
		}
	}
}
