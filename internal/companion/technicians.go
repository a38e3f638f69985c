package companion

import (
	"context"

	"github.com/rescuecompanion/rescue-companion/internal/dynamics"
)

// TechnicianSource is the part of the Dataverse client the technician settings records need.
type TechnicianSource interface {
	WhoAmI(ctx context.Context) (dynamics.WhoAmI, error)
	MyTechnicianRecord(ctx context.Context, t dynamics.TechnicianTable, userID string) (dynamics.TechnicianRecord, bool, error)
	CreateTechnicianRecord(ctx context.Context, t dynamics.TechnicianTable, rec dynamics.TechnicianRecord) error
}

// Technicians keeps the signed-in user's technician settings record in Dynamics.
type Technicians struct {
	Source TechnicianSource
	Table  dynamics.TechnicianTable
}

// EnsureTechnicianRecord looks for the user's record and creates it when there is none. Looking
// first is what makes it safe to run again after a create whose answer was lost.
func (t Technicians) EnsureTechnicianRecord(ctx context.Context, technicianID, ssoID string) error {
	who, err := t.Source.WhoAmI(ctx)
	if err != nil {
		return err
	}
	if _, found, err := t.Source.MyTechnicianRecord(ctx, t.Table, who.UserID); err != nil || found {
		return err
	}
	return t.Source.CreateTechnicianRecord(ctx, t.Table, dynamics.TechnicianRecord{TechnicianID: technicianID, SSOID: ssoID})
}
