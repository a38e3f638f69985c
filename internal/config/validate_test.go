package config

import (
	"errors"
	"strings"
	"testing"
)

// valid returns settings that pass Validate, for cases to break one field at a time.
func valid() Config {
	c := Default()
	c.Dynamics.URL = "https://contoso.crm4.dynamics.com"
	c.Dynamics.TenantID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	return c
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   string // "" when valid
	}{
		{"defaults plus url and tenant", func(*Config) {}, ""},

		{
			"url missing", func(c *Config) { c.Dynamics.URL = "" },
			`dynamics.url: "" is required`,
		},
		{
			"url http", func(c *Config) { c.Dynamics.URL = "http://x.example" },
			`dynamics.url: "http://x.example" must use https (http is allowed only for loopback)`,
		},
		{"url http 127/8", func(c *Config) { c.Dynamics.URL = "http://127.1.2.3:8080" }, ""},
		{"url http ::1", func(c *Config) { c.Dynamics.URL = "http://[::1]:8080" }, ""},
		{"url http localhost", func(c *Config) { c.Dynamics.URL = "http://LocalHost:1" }, ""},
		{"url https loopback", func(c *Config) { c.Dynamics.URL = "https://127.0.0.1:8443" }, ""},
		{
			"url http lookalike", func(c *Config) { c.Dynamics.URL = "http://127.0.0.1.example" },
			`dynamics.url: "http://127.0.0.1.example" must use https (http is allowed only for loopback)`,
		},
		{
			"url other scheme", func(c *Config) { c.Dynamics.URL = "ftp://x.example" },
			`dynamics.url: "ftp://x.example" must use https`,
		},
		{
			"url no scheme", func(c *Config) { c.Dynamics.URL = "contoso.crm4.dynamics.com" },
			`dynamics.url: "contoso.crm4.dynamics.com" is not an absolute URL`,
		},
		{"url trailing slash", func(c *Config) { c.Dynamics.URL = "https://contoso.crm4.dynamics.com///" }, ""},
		{
			"url path", func(c *Config) { c.Dynamics.URL = "https://contoso.crm4.dynamics.com/main.aspx" },
			`dynamics.url: "https://contoso.crm4.dynamics.com/main.aspx" must be scheme and host only, with no path`,
		},
		{
			"url query", func(c *Config) { c.Dynamics.URL = "https://contoso.crm4.dynamics.com?appid=1" },
			`dynamics.url: "https://contoso.crm4.dynamics.com?appid=1" must not contain a query or fragment`,
		},
		{
			"url fragment", func(c *Config) { c.Dynamics.URL = "https://contoso.crm4.dynamics.com#x" },
			`dynamics.url: "https://contoso.crm4.dynamics.com#x" must not contain a query or fragment`,
		},
		{
			"url user", func(c *Config) { c.Dynamics.URL = "https://me@contoso.crm4.dynamics.com" },
			`dynamics.url: "https://me@contoso.crm4.dynamics.com" must not contain a user name or password`,
		},

		{
			"tenant missing", func(c *Config) { c.Dynamics.TenantID = "" },
			`dynamics.tenant_id: "" is required`,
		},
		{
			"tenant not guid", func(c *Config) { c.Dynamics.TenantID = "abc" },
			`dynamics.tenant_id: "abc" is not a GUID`,
		},
		{
			"tenant braces", func(c *Config) { c.Dynamics.TenantID = "{72f988bf-86f1-41af-91ab-2d7cd011db47}" },
			`dynamics.tenant_id: "{72f988bf-86f1-41af-91ab-2d7cd011db47}" is not a GUID`,
		},
		{"tenant upper case", func(c *Config) { c.Dynamics.TenantID = "72F988BF-86F1-41AF-91AB-2D7CD011DB47" }, ""},
		{"tenant spaces trimmed", func(c *Config) { c.Dynamics.TenantID = " 72f988bf-86f1-41af-91ab-2d7cd011db47 " }, ""},
		{
			"client missing", func(c *Config) { c.Dynamics.ClientID = "" },
			`dynamics.client_id: "" is required`,
		},
		{
			"client not guid", func(c *Config) { c.Dynamics.ClientID = "my-app" },
			`dynamics.client_id: "my-app" is not a GUID`,
		},

		{
			"authority missing", func(c *Config) { c.Dynamics.Authority = "" },
			`dynamics.authority: "" is required`,
		},
		{
			"authority with tenant path", func(c *Config) { c.Dynamics.Authority = "https://login.microsoftonline.com/common" },
			`dynamics.authority: "https://login.microsoftonline.com/common" must be scheme and host only, with no path`,
		},
		{
			"authority http", func(c *Config) { c.Dynamics.Authority = "http://login.microsoftonline.com" },
			`dynamics.authority: "http://login.microsoftonline.com" must use https (http is allowed only for loopback)`,
		},
		{"authority loopback", func(c *Config) { c.Dynamics.Authority = "http://127.0.0.1:9000" }, ""},

		{
			"instance unknown", func(c *Config) { c.Rescue.Instance = "staging" },
			`rescue.instance: "staging" is not one of production, beta, sandbox, custom`,
		},
		{
			"instance unknown, no endpoint", func(c *Config) { c.Rescue.Instance, c.Rescue.Endpoint = "Production", "" },
			`rescue.instance: "Production" is not one of production, beta, sandbox, custom`,
		},
		{"production, empty endpoint filled", func(c *Config) { c.Rescue.Endpoint = "" }, ""},
		{"production, endpoint case and slash", func(c *Config) { c.Rescue.Endpoint = "https://secure.logmeinrescue.com/api/" }, ""},
		{
			"production, other endpoint", func(c *Config) { c.Rescue.Endpoint = "https://rescue.example/API" },
			`rescue.endpoint: "https://rescue.example/API" does not match rescue.instance "production" (its endpoint is https://secure.logmeinrescue.com/API; use instance "custom" for another host)`,
		},
		{
			"beta, endpoint missing", func(c *Config) { c.Rescue.Instance, c.Rescue.Endpoint = "beta", "" },
			`rescue.endpoint: "" is required with rescue.instance "beta"`,
		},
		{"beta, any https host", func(c *Config) { c.Rescue.Instance, c.Rescue.Endpoint = "beta", "https://beta.rescue.example/API" }, ""},
		{
			"custom, endpoint missing", func(c *Config) { c.Rescue.Instance, c.Rescue.Endpoint = "custom", "" },
			`rescue.endpoint: "" is required with rescue.instance "custom"`,
		},
		{
			"sandbox, endpoint missing", func(c *Config) { c.Rescue.Instance, c.Rescue.Endpoint = "sandbox", "" },
			`rescue.endpoint: "" is required with rescue.instance "sandbox"`,
		},
		{"sandbox, loopback http", func(c *Config) { c.Rescue.Instance, c.Rescue.Endpoint = "sandbox", "http://127.0.0.1:9443/API" }, ""},
		{"custom, https with path", func(c *Config) { c.Rescue.Instance, c.Rescue.Endpoint = "custom", "https://rescue.example/API" }, ""},
		{
			"custom, http", func(c *Config) { c.Rescue.Instance, c.Rescue.Endpoint = "custom", "http://rescue.example/API" },
			`rescue.endpoint: "http://rescue.example/API" must use https (http is allowed only for loopback)`,
		},
		{
			"custom, query", func(c *Config) { c.Rescue.Instance, c.Rescue.Endpoint = "custom", "https://rescue.example/API?x=1" },
			`rescue.endpoint: "https://rescue.example/API?x=1" must not contain a query or fragment`,
		},

		{"company id number", func(c *Config) { c.Rescue.CompanyID = "123456" }, ""},
		{
			"company id letters", func(c *Config) { c.Rescue.CompanyID = "12a" },
			`rescue.company_id: "12a" is not a number`,
		},
		{
			"company id negative", func(c *Config) { c.Rescue.CompanyID = "-1" },
			`rescue.company_id: "-1" is not a number`,
		},
		{"sso id text", func(c *Config) { c.Rescue.TechnicianSSOID = "camille.lefevre@contoso.example" }, ""},
		{
			"sso id control", func(c *Config) { c.Rescue.TechnicianSSOID = "a\tb" },
			`rescue.technician_sso_id: "a\tb" contains a control or invalid character`,
		},

		{"ca file with sandbox", func(c *Config) {
			c.Rescue.Instance, c.Rescue.Endpoint, c.Sandbox.CAFile = "sandbox", "https://127.0.0.1:9443/API", "/tmp/ca.pem"
		}, ""},
		{
			"ca file without sandbox", func(c *Config) { c.Sandbox.CAFile = "/tmp/ca.pem" },
			`sandbox.ca_file: "/tmp/ca.pem" is set but rescue.instance is "production" (it is used only with instance "sandbox")`,
		},

		{
			"session table missing", func(c *Config) { c.Dataverse.SessionTable = "" },
			`dataverse.session_table: "" is required`,
		},
		{
			"session table space", func(c *Config) { c.Dataverse.SessionTable = "lmi sessions" },
			`dataverse.session_table: "lmi sessions" is not a schema name (letters, digits and _, starting with a letter)`,
		},
		{
			"session key digit first", func(c *Config) { c.Dataverse.SessionKey = "1id" },
			`dataverse.session_key: "1id" is not a schema name (letters, digits and _, starting with a letter)`,
		},
		{"session key mixed case", func(c *Config) { c.Dataverse.SessionKey = "new_SessionId" }, ""},

		{"correlation in cfield2", func(c *Config) { c.Rescue.CorrelationField = "cfield2" }, ""},
		{
			"correlation in the name field", func(c *Config) { c.Rescue.CorrelationField = "cfield0" },
			`rescue.correlation_field: "cfield0" must be cfield2, cfield3, cfield4 or cfield5 (cfield0 and cfield1 carry the customer's name and e-mail)`,
		},
		{
			"correlation in tracking0", func(c *Config) { c.Rescue.CorrelationField = "tracking0" },
			`rescue.correlation_field: "tracking0" must be cfield2, cfield3, cfield4 or cfield5 (cfield0 and cfield1 carry the customer's name and e-mail)`,
		},
		{"pin validity one minute", func(c *Config) { c.Rescue.PINValidityMinutes = 1 }, ""},
		{"pin validity one day", func(c *Config) { c.Rescue.PINValidityMinutes = 1440 }, ""},
		{
			"pin validity zero", func(c *Config) { c.Rescue.PINValidityMinutes = 0 },
			`rescue.pin_validity_minutes: "0" must be between 1 and 1440`,
		},
		{
			"pin validity over a day", func(c *Config) { c.Rescue.PINValidityMinutes = 1441 },
			`rescue.pin_validity_minutes: "1441" must be between 1 and 1440`,
		},
		{
			"technician table missing", func(c *Config) { c.Dataverse.TechnicianTable = "" },
			`dataverse.technician_table: "" is required`,
		},
		{
			"technician id column bad", func(c *Config) { c.Dataverse.TechnicianIDColumn = "lmi-techid" },
			`dataverse.technician_id_column: "lmi-techid" is not a schema name (letters, digits and _, starting with a letter)`,
		},
		{
			"technician sso column missing", func(c *Config) { c.Dataverse.TechnicianSSOColumn = " " },
			`dataverse.technician_sso_column: "" is required`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.modify(&c)
			err := c.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Validate() =\n  %s\nwant\n  %s", got, tt.want)
			}
		})
	}
}

func TestValidateReportsEveryProblemInFileOrder(t *testing.T) {
	c := valid()
	c.Dataverse.SessionKey = ""
	c.Rescue.CompanyID = "x"
	c.Dynamics.TenantID = "abc"
	err := c.Validate()
	want := []string{
		`dynamics.tenant_id: "abc" is not a GUID`,
		`rescue.company_id: "x" is not a number`,
		`dataverse.session_key: "" is required`,
	}
	if got := strings.Split(err.Error(), "\n"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("lines = %q, want %q", got, want)
	}
	fields := FieldErrors(err)
	if len(fields) != 3 || fields[0].Key != "dynamics.tenant_id" || fields[0].Value != "abc" ||
		fields[1].Key != "rescue.company_id" || fields[2].Key != "dataverse.session_key" {
		t.Fatalf("FieldErrors = %+v", fields)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Key != "dynamics.tenant_id" {
		t.Fatalf("errors.As gives %+v, want the first problem", fe)
	}
}

func TestFieldErrorsOfNilAndForeignErrors(t *testing.T) {
	if got := FieldErrors(nil); got != nil {
		t.Errorf("FieldErrors(nil) = %v", got)
	}
	if got := FieldErrors(errors.New("x")); got != nil {
		t.Errorf("FieldErrors(other) = %v", got)
	}
}

func TestNormalize(t *testing.T) {
	c := Config{
		Dynamics: Dynamics{URL: " https://contoso.crm4.dynamics.com/ ", Authority: "https://login.microsoftonline.com//"},
		Rescue:   Rescue{Instance: " production ", Endpoint: ""},
		Sandbox:  Sandbox{CAFile: " ca.pem "},
	}.Normalize()
	if c.Dynamics.URL != "https://contoso.crm4.dynamics.com" ||
		c.Dynamics.Authority != "https://login.microsoftonline.com" ||
		c.Rescue.Instance != "production" || c.Rescue.Endpoint != ProductionEndpoint || c.Sandbox.CAFile != "ca.pem" {
		t.Errorf("Normalize() = %+v", c)
	}
	custom := Config{Rescue: Rescue{Instance: "custom", Endpoint: "https://rescue.example/API/"}}.Normalize()
	if custom.Rescue.Endpoint != "https://rescue.example/API" {
		t.Errorf("custom endpoint = %q", custom.Rescue.Endpoint)
	}
	if got := normalizeURL("https://"); got != "https://" {
		t.Errorf(`normalizeURL("https://") = %q; a URL without a host must be left for Validate to report`, got)
	}
}
