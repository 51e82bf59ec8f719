# Manage the SAP connection secrets, except the HR landscape's (payroll is
# segregated: a deny wins over the broader grant, see the policy syntax docs'
# "secret/super-secret" example)
path "secret/data/sap/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}

path "secret/data/sap/hr/*" {
  capabilities = ["deny"]
}

# Rotate the RFC passwords only with an approved change ticket parameter
path "secret/data/sap/rfc_fi" {
  capabilities = ["create", "update"]
  allowed_parameters = {
    "ticket" = []
    "data"   = []
  }
}
