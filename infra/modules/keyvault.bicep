// The Key Vault of the monitor's secrets (today the SMTP relay's password). RBAC authorization only (no access
// policies), soft delete and purge protection on. The function app's identity may read secrets (Key Vault Secrets
// User) and reads them through Key Vault references in its app settings; the deployment writes them from a secure
// parameter, so no secret is ever in a file, an app setting or an output.

param name string
param location string
param tags object

@description('Principal (object) ID of the function app\'s user-assigned identity.')
param identityPrincipalId string

@description('Resource ID of that identity (keys the role assignment\'s name).')
param identityId string

@description('The SMTP relay\'s password; empty: no secret is written (the relay needs none, or it is set by hand).')
@secure()
param smtpPassword string = ''

var smtpPasswordSecretName = 'smtp-password'
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

resource smtpSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(smtpPassword)) {
  parent: vault
  name: smtpPasswordSecretName
  properties: {
    value: smtpPassword
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identityId, keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output name string = vault.name
@description('The name (not the value) of the SMTP password secret, for the Key Vault reference.')
output smtpSecretName string = smtpPasswordSecretName
