package doctor

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Provision creates, through the metadata API, what the app writes to and the organisation lacks:
// the session table (its key column, the write-back's columns, the lookup to the case, the
// alternate key on the session ID) and the technician settings table (its technician ID and SSO ID
// columns). What exists is left as it is, so a second run changes nothing. changed lists what was
// created, one line each, also when an error stops the run; without the privilege the error wraps
// ErrNoPrivilege. A new key is Pending until Dynamics has built its index: doctor (or Fix) then
// reports it.
func Provision(ctx context.Context, d Deps, progress func(string)) (changed []string, err error) {
	d = d.withDefaults()
	if progress == nil {
		progress = func(string) {}
	}
	if d.Dynamics == nil {
		return nil, errors.New("the Dynamics client could not be set up from the settings")
	}
	p := &provisioner{d: d, progress: progress}
	for _, spec := range []tableSpec{sessionSpec(d.Tables.Sessions), technicianSpec(d.Tables.Technicians)} {
		if err := p.table(ctx, spec); err != nil {
			return p.changed, err
		}
	}
	if len(p.changed) == 0 {
		progress("nothing to create: both tables are complete")
	}
	return p.changed, nil
}

type provisioner struct {
	d        Deps
	progress func(string)
	changed  []string
}

func (p *provisioner) did(what string) {
	p.changed = append(p.changed, what)
	p.progress(what)
}

// table brings one table up to its spec.
func (p *provisioner) table(ctx context.Context, spec tableSpec) error {
	if spec.prefix == "" {
		return fmt.Errorf("the columns of the %s need a publisher prefix, such as lmi_ in lmi_sessionid", spec.what)
	}
	r := &run{d: p.d}
	st, found, err := r.findTable(ctx, spec.set)
	if err != nil {
		return err
	}
	if !found {
		if st, err = p.createTable(ctx, spec, r); err != nil {
			return err
		}
	}
	entity := st.table.LogicalName
	for _, col := range spec.columns {
		if _, ok := st.columns[logical(col.SchemaName)]; ok {
			continue
		}
		if err := p.d.Dynamics.CreateColumn(ctx, entity, col); err != nil {
			return privilegeError("create the column "+logical(col.SchemaName), err)
		}
		p.did(fmt.Sprintf("created the column %s.%s", entity, logical(col.SchemaName)))
	}
	if spec.lookup != nil {
		if err := p.lookup(ctx, spec, st); err != nil {
			return err
		}
	}
	if spec.key != nil {
		return p.key(ctx, spec, entity)
	}
	return nil
}

// createTable creates the table with its primary name column, then reads it back by its entity set.
func (p *provisioner) createTable(ctx context.Context, spec tableSpec, r *run) (*tableState, error) {
	def := tableDefinition(spec)
	if _, err := p.d.Dynamics.CreateTable(ctx, def); err != nil {
		return nil, privilegeError("create the table "+spec.entity, err)
	}
	p.did(fmt.Sprintf("created the table %s (entity set %s)", spec.entity, spec.set))
	st, found, err := r.findTable(ctx, spec.set)
	switch {
	case err != nil:
		return nil, err
	case !found:
		return nil, fmt.Errorf("the table %s was created, but no table has the entity set %s: set the table's entity set in the settings", spec.entity, spec.set)
	}
	return st, nil
}

func (p *provisioner) lookup(ctx context.Context, spec tableSpec, st *tableState) error {
	name := logical(spec.lookup.Lookup.SchemaName)
	switch typ, ok := st.columns[name]; {
	case ok && typ == "Lookup":
		return nil
	case ok:
		return fmt.Errorf("%s.%s exists but is a %s column, not a lookup to the case: remove it or choose another session key prefix", st.table.LogicalName, name, typ)
	}
	def := *spec.lookup
	def.ReferencingEntity = st.table.LogicalName
	if err := p.d.Dynamics.CreateLookup(ctx, def); err != nil {
		return privilegeError("create the lookup "+name, err)
	}
	p.did(fmt.Sprintf("created the lookup %s.%s to incident", st.table.LogicalName, name))
	return nil
}

func (p *provisioner) key(ctx context.Context, spec tableSpec, entity string) error {
	k, err := findSessionKey(ctx, p.d.Dynamics, entity, spec.key.Columns[0])
	if err != nil || k != nil {
		return err
	}
	if err := p.d.Dynamics.CreateKey(ctx, entity, *spec.key); err != nil {
		return privilegeError("create the key "+logical(spec.key.SchemaName), err)
	}
	p.did(fmt.Sprintf("created the alternate key %s.%s on %s; Dynamics now builds its index",
		entity, logical(spec.key.SchemaName), strings.Join(spec.key.Columns, ", ")))
	return nil
}
