package rescue

import (
	"context"
	"net/url"
	"strings"
)

// Node is one node of the company's hierarchy: the root, a folder, a group, or a user.
type Node struct {
	ID          int
	ParentID    int // 0 for the root
	Name        string
	Email       string
	Description string
	Status      Presence // a user's presence; folders and groups read Offline
	Type        string   // e.g. Root, TechnicianGroup, Technician, Administrator
}

// NodeTechnician is the Type of a technician's node.
const NodeTechnician = "Technician"

// Hierarchy returns the whole company's hierarchy (getHierarchy_v2), offline technicians included:
// the way to learn a technician's node from the name another method shows, such as getSession_v3's
// "Transferred To".
func (c *Client) Hierarchy(ctx context.Context, authcode string) ([]Node, error) {
	const method = "getHierarchy_v2"
	form := url.Values{"authcode": {authcode}, "filteroffline": {"false"}}
	payload, err := c.call(ctx, method, form, retryRead)
	if err != nil {
		return nil, err
	}
	return parseHierarchy(payload)
}

var nodeLabels = []string{"NodeID", "ParentID", "Name", "Email", "Description", "Status", "Type"}

// parseHierarchy reads the nodes. Each starts with its NodeID label, whether the nodes come one
// per block of lines (as public client code reads them) or on one line (as the help page's sample
// shows a node); a node whose NodeID is not a number is malformed.
func parseHierarchy(payload string) ([]Node, error) {
	var nodes []Node
	for _, chunk := range splitAtLabel(normalizeLines(payload), "NodeID") {
		v := labelled(chunk, nodeLabels)
		id, ok := parseInt(v["NodeID"])
		if !ok {
			return nil, malformed("getHierarchy_v2", "a NodeID is not a number")
		}
		parent, _ := parseInt(v["ParentID"])
		nodes = append(nodes, Node{
			ID: id, ParentID: parent, Name: v["Name"], Email: v["Email"], Description: v["Description"],
			Status: parsePresence(v["Status"]), Type: v["Type"],
		})
	}
	return nodes, nil
}

// splitAtLabel cuts text before every word that starts with label and a colon (ignoring case);
// text before the first one is dropped.
func splitAtLabel(text, label string) []string {
	var starts []int
	for i := 0; i < len(text); i++ {
		if (i == 0 || isSpaceByte(text[i-1])) && len(text)-i > len(label) &&
			strings.EqualFold(text[i:i+len(label)], label) && text[i+len(label)] == ':' {
			starts = append(starts, i)
		}
	}
	out := make([]string, 0, len(starts))
	for k, s := range starts {
		end := len(text)
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		out = append(out, text[s:end])
	}
	return out
}
