package rescue

import "strings"

// Node IDs of the company's structure. The seed carries only the technicians' nodes, so the rest of
// the tree is fixed here, in the same range, below the technicians' IDs.
const (
	rootNodeID         = 4310001
	masterAdminsNodeID = 4310002
	adminsNodeID       = 4310003
	techniciansNodeID  = 4310004
	helpdeskNodeID     = 4310010
)

// Node types, as getHierarchy_v2 spells them (D12).
const (
	nodeRoot          = "Root"
	nodeMasterAdmins  = "Masteradministrators"
	nodeAdmins        = "Administrators"
	nodeTechnicians   = "Technicians"
	nodeTechGroup     = "TechnicianGroup"
	nodeAdministrator = "Administrator"
	nodeTechnician    = "Technician"
)

// statusOffline is a user's presence with the console closed, and the status every node that is
// not a user shows: D12's sample lists a technician group as Offline.
const statusOffline = "Offline"

// hierarchyNode is one node of getHierarchy_v2's reply. parent is 0 for the root, which has none.
type hierarchyNode struct {
	id, parent                       int
	name, email, description, status string
	kind                             string
}

// hierarchy is the company's tree, every parent before its children: the root; the master
// administrators', administrators' and technicians' folders; the Helpdesk group with the
// technicians. A user without a technician seat sits under Administrators, as the Administrator
// getUser calls them; a deleted user is not listed.
func (s *Server) hierarchy() []hierarchyNode {
	nodes := []hierarchyNode{
		folder(rootNodeID, 0, organizationName, nodeRoot),
		folder(masterAdminsNodeID, rootNodeID, "Master Administrators", nodeMasterAdmins),
		folder(adminsNodeID, rootNodeID, "Administrators", nodeAdmins),
	}
	nodes = append(nodes, s.userNodes(adminsNodeID, func(t *technician) bool { return t.state == UserNotTechnician })...)
	nodes = append(nodes,
		folder(techniciansNodeID, rootNodeID, "Technicians", nodeTechnicians),
		folder(helpdeskNodeID, techniciansNodeID, "Helpdesk", nodeTechGroup))
	return append(nodes, s.userNodes(helpdeskNodeID, func(t *technician) bool {
		return t.state == UserActive || t.state == UserDisabled
	})...)
}

func folder(id, parent int, name, kind string) hierarchyNode {
	return hierarchyNode{id: id, parent: parent, name: name, status: statusOffline, kind: kind}
}

// userNodes are the seed's users that belong under parent, in seed order, with their presence.
func (s *Server) userNodes(parent int, belongs func(*technician) bool) []hierarchyNode {
	var out []hierarchyNode
	for _, t := range s.techs {
		if !belongs(t) {
			continue
		}
		kind := nodeTechnician
		if t.state == UserNotTechnician {
			kind = nodeAdministrator
		}
		out = append(out, hierarchyNode{
			id: t.RescueNodeID, parent: parent, name: t.Name, email: t.Email,
			description: t.Description, status: s.presence(t), kind: kind,
		})
	}
	return out
}

// subtree keeps the node with the given ID and everything under it; ok is false when no node has
// that ID. It relies on every parent coming before its children.
func subtree(nodes []hierarchyNode, id int) (kept []hierarchyNode, ok bool) {
	in := map[int]bool{}
	for _, n := range nodes {
		if n.id == id || in[n.parent] {
			in[n.id] = true
			kept = append(kept, n)
		}
	}
	return kept, len(kept) > 0
}

// withoutOfflineTechnicians drops the technicians whose console is closed. As D12 notes, other
// nodes stay, Offline or not; so does a disabled technician, whose status is Disabled.
func withoutOfflineTechnicians(nodes []hierarchyNode) []hierarchyNode {
	var kept []hierarchyNode
	for _, n := range nodes {
		if n.kind != nodeTechnician || n.status != statusOffline {
			kept = append(kept, n)
		}
	}
	return kept
}

// getHierarchyV2 lists the whole company, or with isnode=true the node given by node and
// everything under it; filteroffline=true leaves out the offline technicians.
func (s *Server) getHierarchyV2(c *call) string {
	if tok, ok := s.authenticate(c, tokUserDeletedOrDisabled); !ok {
		return tok
	}
	nodes := s.hierarchy()
	if isTrue(c.p.get("isnode")) {
		id, ok := parseInt32(c.p.get("node"))
		if !ok {
			return tokInvalidParamNode
		}
		if nodes, ok = subtree(nodes, id); !ok {
			return tokInvalidParamNode
		}
	}
	if isTrue(c.p.get("filteroffline")) {
		nodes = withoutOfflineTechnicians(nodes)
	}
	return replyHierarchy(nodes)
}

// isTrue reads a true/false parameter as .NET's bool.Parse does, except that anything unreadable
// counts as false, the documented default of an optional flag.
func isTrue(v string) bool {
	return strings.EqualFold(strings.Trim(v, " \t\r\n\v\f\x00"), "true")
}
