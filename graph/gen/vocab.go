package gen

// The fixed vocabulary the generator draws names, kinds and evidence strings
// from. Strings are constants so records share them instead of allocating.

// sysKind indexes the system kinds below.
type sysKind int

const (
	kindERP sysKind = iota
	kindVault
	kindBank
	kindDB
	kindBI
	kindCI
	kindCloud
	numSysKinds
)

// systemKindCycle assigns kinds to systems by index: vault comes second so
// every estate with two systems has one, and every twelfth system is a vault.
var systemKindCycle = [12]sysKind{kindERP, kindVault, kindBank, kindDB, kindBI, kindCI, kindCloud, kindERP, kindDB, kindCloud, kindERP, kindBank}

// sysKindInfo describes one system kind: the System.Kind string, how systems
// of this kind are named, how likely they are to be in SOX scope, their share
// of resources, how deep their resource trees go, and the resource kinds of
// tree roots, inner nodes and leaves.
type sysKindInfo struct {
	name      string
	label     string
	slug      string
	soxPct    int
	weight    int
	minLevels int // resource tree levels, root included: chains of 2–4
	maxLevels int
	rootKind  string
	midKind   string
	leafKinds []string
	natives   [5]string // the native permission per action, in schema.Actions order
}

var sysKinds = [numSysKinds]sysKindInfo{
	kindERP: {
		name: "erp", label: "SAP S/4HANA", slug: "erp", soxPct: 90, weight: 8, minLevels: 3, maxLevels: 4,
		rootKind: "company_code", midKind: "module",
		leafKinds: []string{
			"journal_entry", "journal_entry", "gl_account", "posting_period", "account_reconciliation",
			"vendor_master", "vendor_invoice", "purchase_order", "goods_receipt", "payment_run",
			"customer_master", "customer_credit_memo", "credit_limit", "cash_receipt", "sales_order",
			"employee_master", "payroll_run", "financial_report", "program", "transport",
			"access_request", "access_assignment",
		},
		natives: [5]string{"ACTVT=03 (display)", "ACTVT=01 (create)", "ACTVT=43 (release)", "ACTVT=04 (print)", "SAP_ALL"},
	},
	kindVault: {
		name: "vault", label: "HashiCorp Vault", slug: "vault", soxPct: 25, weight: 4, minLevels: 3, maxLevels: 4,
		rootKind: "secret", midKind: "secret", leafKinds: []string{"secret"},
		natives: [5]string{"capabilities=[read,list]", "capabilities=[create,update]", "control_group=approve", "capabilities=[read] (export)", "capabilities=[sudo]"},
	},
	kindBank: {
		name: "bank", label: "Bank portal", slug: "bank", soxPct: 90, weight: 2, minLevels: 2, maxLevels: 3,
		rootKind: "bank_account_group", midKind: "bank_account",
		leafKinds: []string{"payment_release", "payment_release", "payment_run", "bank_master", "bank_reconciliation", "cash_receipt"},
		natives:   [5]string{"view_statements", "create_payment", "release_payment", "download_statements", "bank_admin"},
	},
	kindDB: {
		name: "db", label: "PostgreSQL", slug: "db", soxPct: 50, weight: 4, minLevels: 3, maxLevels: 3,
		rootKind: "database", midKind: "schema",
		leafKinds: []string{"table", "table", "table", "journal_entry", "gl_account", "vendor_master", "payroll_run", "customer_master"},
		natives:   [5]string{"SELECT", "INSERT, UPDATE, DELETE", "EXECUTE approve_batch()", "COPY TO", "ALL PRIVILEGES"},
	},
	kindBI: {
		name: "bi", label: "BI platform", slug: "bi", soxPct: 40, weight: 2, minLevels: 2, maxLevels: 3,
		rootKind: "workspace", midKind: "folder",
		leafKinds: []string{"financial_report", "financial_report", "dashboard", "dataset"},
		natives:   [5]string{"Viewer", "Contributor", "Publisher", "Export data", "Admin"},
	},
	kindCI: {
		name: "ci", label: "CI/CD", slug: "ci", soxPct: 30, weight: 2, minLevels: 2, maxLevels: 3,
		rootKind: "organization", midKind: "project",
		leafKinds: []string{"pipeline", "pipeline", "program", "transport", "environment"},
		natives:   [5]string{"pipeline:read", "pipeline:write", "deploy:approve", "artifact:download", "project:admin"},
	},
	kindCloud: {
		name: "cloud", label: "AWS account", slug: "aws", soxPct: 30, weight: 3, minLevels: 2, maxLevels: 3,
		rootKind: "account", midKind: "region",
		leafKinds: []string{"bucket", "bucket", "database", "function", "queue"},
		natives:   [5]string{"s3:GetObject", "s3:PutObject", "iam:PassRole", "s3:GetObject (cross-account)", "AdministratorAccess"},
	},
}

// systemNatives are the native permission strings of grants on a whole system.
var systemNatives = [5]string{"login", "write (system-wide)", "approve (system-wide)", "export (system-wide)", "system administrator"}

// teams name group owners and team groups.
var teams = []string{
	"accounts-payable", "accounts-receivable", "general-ledger", "treasury", "payroll",
	"procurement", "controlling", "tax", "audit", "it-ops", "platform", "data",
	"security", "sales-ops", "hr", "fpa",
}

// functions name the job of a non-human identity or a role.
var functions = []string{
	"payments", "ledger", "recon", "invoices", "vendors", "payroll", "reporting",
	"etl", "backup", "deploy", "monitoring", "billing", "treasury", "close", "tax", "sync",
}

var purposes = []string{
	"nightly payment file upload to the bank",
	"posts accruals during month-end close",
	"reconciles bank statements with the ledger",
	"extracts ledger data into the warehouse",
	"syncs vendor master data from procurement",
	"runs payroll batch jobs",
	"publishes financial dashboards",
	"deploys finance applications",
	"backs up finance databases",
	"answers finance questions for analysts",
}

var rationales = []string{
	"batch job without an interactive user",
	"system-to-system integration",
	"scheduled automation approved by the control owner",
	"vendor-operated integration under contract",
}

var vendors = []string{"Acme Payments", "LedgerSoft", "CloudOps Inc", "DataPipe", "BotWorks"}

var controls = []string{"session recording", "dual approval", "quarterly review", "alert on use"}

var envs = []string{"prod", "prod", "prod", "staging", "dev"}
