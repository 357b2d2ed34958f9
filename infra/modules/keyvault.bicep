// The Key Vault of the monitor's secrets: the passwords and tokens of pulled sources (config/sources.json names them
// with passwordSetting / tokenSetting; each is an app setting holding a Key Vault reference) and the SMTP relay's
// password. Azure RBAC only, no access policies and no keys: the function app's identity may read secrets (Key Vault
// Secrets User), the deploying user may set them (Key Vault Secrets Officer); the SMTP password is written from a
// secure parameter, so no secret is ever in a file, an app setting or an output.

param name string
param location string
param tags object

@description('Resource ID of the function app\'s user-assigned identity (keys the assignment name).')
param identityId string

@description('Principal (object) ID of that identity.')
param identityPrincipalId string

@description('Object ID of the deploying user or service principal, allowed to set secrets; empty grants nothing.')
param deployerPrincipalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param deployerPrincipalType string = 'User'

var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var secretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

@description('The SMTP relay\'s password; empty: no secret is written (the relay needs none, or it is set by hand).')
@secure()
param smtpPassword string = ''

var smtpPasswordSecretName = 'smtp-password'

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
    // The Flex Consumption app has no virtual network here, so the vault is reached over its public endpoint,
    // with Entra ID and RBAC deciding who may read.
    publicNetworkAccess: 'Enabled'
  }
}

resource smtpSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(smtpPassword)) {
  parent: vault
  name: smtpPasswordSecretName
  properties: {
    value: smtpPassword
  }
}

resource appSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identityId, secretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUser)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource deployerSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  scope: vault
  name: guid(vault.id, deployerPrincipalId, secretsOfficer)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsOfficer)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
@description('The name (not the value) of the SMTP password secret, for the Key Vault reference.')
output smtpSecretName string = smtpPasswordSecretName
