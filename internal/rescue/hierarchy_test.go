package rescue

import (
	"testing"

	fake "github.com/rescuecompanion/rescue-companion/internal/sandbox/rescue"
)

func TestHierarchyFromTheFake(t *testing.T) {
	e := newEnv(t, fake.Options{NoHistory: true}, Options{})
	jordan := e.tech(t, "jordan")
	code, err := e.client.RequestAuthCode(ctx, jordan.Email, jordan.Password)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := e.client.Hierarchy(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Node{}
	for _, n := range nodes {
		byName[n.Name] = n
	}
	for _, key := range []string{"camille", "jordan", "priya"} {
		tech := e.tech(t, key)
		n, ok := byName[tech.Name]
		if !ok || n.ID != tech.RescueNodeID || n.Type != NodeTechnician || n.Email != tech.Email || n.ParentID == 0 {
			t.Errorf("%s: %+v", key, n)
		}
	}
	if byName["Priya Raman"].Status != PresenceOffline && byName[e.tech(t, "priya").Name].Status != PresenceOffline {
		t.Errorf("priya's console is closed: %+v", byName[e.tech(t, "priya").Name])
	}
	e.fake.FailNext("getHierarchy_v2", 1)
	if _, err := e.client.Hierarchy(ctx, code); err == nil {
		t.Fatal("ERROR was not reported")
	}
}

func TestParseHierarchyInBothLayouts(t *testing.T) {
	blocks := "NodeID:10\nParentID:\nName:Helpdesk\nEmail:\nDescription:\nStatus:Offline\nType:TechnicianGroup\n\n" +
		"NodeID:11\nParentID:10\nName:Camille Lefèvre\nEmail:c@example.com\nDescription:Niveau 2 – Lyon: nuit\nStatus:Online\nType:Technician\n\n"
	oneLine := "NodeID:337364 ParentID:337363 Name:Technician Group1 Email: Description: Status:Offline Type:TechnicianGroup"
	got, err := parseHierarchy(blocks)
	if err != nil || len(got) != 2 {
		t.Fatalf("%+v %v", got, err)
	}
	want := Node{ID: 11, ParentID: 10, Name: "Camille Lefèvre", Email: "c@example.com", Description: "Niveau 2 – Lyon: nuit", Status: PresenceOnline, Type: "Technician"}
	if got[1] != want {
		t.Fatalf("got %+v\nwant %+v", got[1], want)
	}
	one, err := parseHierarchy(oneLine)
	if err != nil || len(one) != 1 || one[0].ID != 337364 || one[0].Name != "Technician Group1" || one[0].Type != "TechnicianGroup" {
		t.Fatalf("%+v %v", one, err)
	}
	if _, err := parseHierarchy("NodeID:x\nName:y"); err == nil {
		t.Fatal("a NodeID that is not a number")
	}
	if nodes, err := parseHierarchy(""); err != nil || len(nodes) != 0 {
		t.Fatalf("empty: %+v %v", nodes, err)
	}
}

func FuzzHierarchy(f *testing.F) {
	f.Add("OK\n\nNodeID:1\nParentID:\nName:Root\nEmail:\nDescription:\nStatus:Offline\nType:Root\n\n")
	f.Add("OK NodeID:337364 ParentID:337363 Name:G Email: Description: Status:Offline Type:TechnicianGroup")
	f.Add("OK\n\nnodeid:1 NodeID:2\n")
	f.Fuzz(func(t *testing.T, body string) {
		payload, err := parseReply("getHierarchy_v2", body)
		if err != nil {
			return
		}
		nodes, err := parseHierarchy(payload)
		if err == nil && len(nodes) > len(payload) {
			t.Fatalf("%d nodes from %d bytes", len(nodes), len(payload))
		}
	})
}
