// The function app's user-assigned managed identity: the one principal that reads and writes the monitor's storage.
// User-assigned (not system-assigned) so that roles exist before the app is created and survive a re-created app.

@description('Name of the user-assigned managed identity.')
param name string

param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
