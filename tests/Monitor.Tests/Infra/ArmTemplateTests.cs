using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Infra;

/// <summary>
/// Reads the ARM JSON that bicep compiles from infra/main.bicep and checks the security properties an operator relies
/// on: no shared keys, TLS 1.2, HTTPS, no public blobs, no key in any app setting, least-privilege roles with
/// deterministic names, and Event Grid delivery with retries and a dead-letter container.
/// </summary>
public sealed partial class ArmTemplateTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";

    [Fact]
    public void Storage_account_refuses_shared_keys_public_blobs_old_tls_and_plain_http()
    {
        var (account, _) = compiled.Single("Microsoft.Storage/storageAccounts");
        var properties = account["properties"]!;

        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.Equal("TLS1_2", (string?)properties["minimumTlsVersion"]);
        Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
        Assert.True((bool)properties["defaultToOAuthAuthentication"]!);
    }

    [Fact]
    public void Blobs_keep_versions_and_soft_deleted_copies()
    {
        var (blobService, template) = compiled.Single("Microsoft.Storage/storageAccounts/blobServices");
        var properties = CompiledTemplate.Resolve(blobService["properties"], template)!;

        Assert.True((bool)properties["isVersioningEnabled"]!);
        Assert.True((bool)properties["deleteRetentionPolicy"]!["enabled"]!);
        Assert.True((int)properties["deleteRetentionPolicy"]!["days"]! >= 7);
        Assert.True((bool)properties["containerDeleteRetentionPolicy"]!["enabled"]!);
    }

    [Fact]
    public void Storage_holds_the_containers_tables_and_queue_of_the_contract()
    {
        var (_, template) = compiled.Single("Microsoft.Storage/storageAccounts");
        var variables = template["variables"]!;
        var containers = variables["contractContainers"]!.AsArray().Select(n => (string)n!).ToList();
        var tables = variables["contractTables"]!.AsArray().Select(n => (string)n!).ToList();
        var queues = variables["contractQueues"]!.AsArray().Select(n => (string)n!).ToList();

        Assert.Equal(["incoming", "archive", "quarantine", "reports", "config"], containers);
        Assert.Equal(["Requests", "RequestEvents", "Matches", "Alerts", "AlertDeliveries", "FeedRuns", "Rejects", "SweepSchedule", "PeriodStats", "PullState"], tables);
        Assert.Equal(["overdue-alerts"], queues);
        // The code's contract is a subset of what is provisioned (the monitor also creates them on first use).
        Assert.All(StorageNames.Containers, c => Assert.Contains(c, containers));
        Assert.All(StorageNames.Tables, t => Assert.Contains(t, tables));
        Assert.Contains(StorageNames.AlertsQueue, queues);

        var (container, _) = compiled.Single("Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Equal("None", (string?)container["properties"]!["publicAccess"]);
    }

    [Fact]
    public void Function_app_runs_on_flex_consumption_with_its_user_assigned_identity()
    {
        var (plan, _) = compiled.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);

        var (site, template) = compiled.Single("Microsoft.Web/sites");
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.True((bool)site["properties"]!["httpsOnly"]!);
        var config = CompiledTemplate.Resolve(site["properties"]!["functionAppConfig"], template)!;
        Assert.Equal("dotnet-isolated", (string?)config["runtime"]!["name"]);
        Assert.Equal("10.0", (string?)config["runtime"]!["version"]);
        var deployment = config["deployment"]!["storage"]!;
        Assert.Equal("blobContainer", (string?)deployment["type"]);
        Assert.Equal("UserAssignedIdentity", (string?)deployment["authentication"]!["type"]);
        Assert.Equal("[parameters('identityId')]", (string?)deployment["authentication"]!["userAssignedIdentityResourceId"]);

        // The maximum instance count is a parameter of main.bicep, passed through to the module.
        Assert.Equal("[parameters('maximumInstanceCount')]", (string?)site["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!["maximumInstanceCount"]);
        var mainParameter = compiled.Root["parameters"]!["maximumInstanceCount"]!;
        Assert.Equal("int", (string?)mainParameter["type"]);
        Assert.Equal("[parameters('maximumInstanceCount')]", (string?)Module("functionapp")["parameters"]!["maximumInstanceCount"]!["value"]);

        // Publishing passwords are off: deployment goes through Entra ID.
        Assert.All(compiled.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies"), p => Assert.False((bool)p.Resource["properties"]!["allow"]!));
    }

    [Fact]
    public void App_settings_are_identity_based_and_hold_no_key()
    {
        var settings = AppSettings();

        foreach (var prefix in new[] { "AzureWebJobsStorage", "MonitorStorage" })
        {
            // The plain name would be a connection string; only the identity-based "__" form may exist.
            Assert.False(settings.ContainsKey(prefix), $"{prefix} must not be a connection string");
            Assert.Equal("managedidentity", settings[$"{prefix}__credential"]);
            Assert.Equal("[parameters('identityClientId')]", settings[$"{prefix}__clientId"]);
            foreach (var service in new[] { "blob", "queue", "table" })
            {
                Assert.Equal($"[parameters('storage{char.ToUpperInvariant(service[0])}{service[1..]}Endpoint')]", settings[$"{prefix}__{service}ServiceUri"]);
            }
        }
        Assert.Equal("[format('Authorization=AAD;ClientId={0}', parameters('identityClientId'))]", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Equal("[parameters('overdueSweepSchedule')]", settings["OverdueSweepSchedule"]);

        foreach (var (name, value) in settings)
        {
            Assert.False(KeyMaterial().IsMatch(value), $"app setting {name} holds key material: {value}");
            if (name.Replace("_", "", StringComparison.Ordinal).Contains("ConnectionString", StringComparison.OrdinalIgnoreCase))
            {
                // The one connection-string setting is Application Insights': an identifier plus endpoints (see the next test).
                Assert.Equal("APPLICATIONINSIGHTS_CONNECTION_STRING", name);
            }
        }
    }

    [Fact]
    public void Application_insights_accepts_only_entra_id_so_its_connection_string_is_no_secret()
    {
        var (component, _) = compiled.Single("Microsoft.Insights/components");
        Assert.True((bool)component["properties"]!["DisableLocalAuth"]!);
        Assert.NotNull(component["properties"]!["WorkspaceResourceId"]);
        Assert.Equal("[parameters('applicationInsightsConnectionString')]", AppSettings()["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        // ... fed by the monitoring module's output, which is the component's own connection string (no key lookup).
        var passed = (string?)Module("functionapp")["parameters"]!["applicationInsightsConnectionString"]!["value"];
        Assert.Contains("'monitoring')", passed);
        Assert.Contains(".outputs.connectionString.value", passed);
        var output = (string?)Module("monitoring")["template"]!["outputs"]!["connectionString"]!["value"];
        Assert.Matches(@"^\[reference\(resourceId\('Microsoft\.Insights/components', parameters\('applicationInsightsName'\)\), '[0-9-]+'\)\.ConnectionString\]$", output);
    }

    [Fact]
    public void The_smtp_password_lives_in_key_vault_and_reaches_the_app_only_as_a_reference()
    {
        var (vault, _) = compiled.Single("Microsoft.KeyVault/vaults");
        Assert.True((bool)vault["properties"]!["enableRbacAuthorization"]!);
        Assert.True((bool)vault["properties"]!["enablePurgeProtection"]!);

        // The secret's value is the secure parameter, written only when one is given.
        var (secret, vaultTemplate) = compiled.Single("Microsoft.KeyVault/vaults/secrets");
        Assert.Equal("[parameters('smtpPassword')]", (string?)secret["properties"]!["value"]);
        Assert.Equal("[not(empty(parameters('smtpPassword')))]", (string?)secret["condition"]);
        Assert.Equal("securestring", (string?)vaultTemplate["parameters"]!["smtpPassword"]!["type"]);
        Assert.Equal("securestring", (string?)compiled.Root["parameters"]!["smtpPassword"]!["type"]);
        Assert.DoesNotContain(compiled.Root["outputs"]!.AsObject(), o => o.Value!.ToJsonString().Contains("smtpPassword", StringComparison.Ordinal));

        // The function app's identity reads secrets (Key Vault Secrets User) and resolves references with that identity.
        var (reader, readerTemplate) = Assert.Single(compiled.OfType("Microsoft.Authorization/roleAssignments"),
            r => ((string?)r.Resource["properties"]!["roleDefinitionId"])!.Contains("variables('secretsUser')", StringComparison.Ordinal) && ((string?)r.Resource["properties"]!["principalId"]) == "[parameters('identityPrincipalId')]");
        Assert.Equal("4633458b-17de-408a-b874-0445c86b69e6", (string?)readerTemplate["variables"]!["secretsUser"]);
        Assert.Equal("[parameters('identityPrincipalId')]", (string?)reader["properties"]!["principalId"]);
        var (site, _) = compiled.Single("Microsoft.Web/sites");
        Assert.Equal("[parameters('identityId')]", (string?)site["properties"]!["keyVaultReferenceIdentity"]);

        // main.bicep passes the password setting as a Key Vault reference to the vault's secret, never as a value.
        var passed = (string?)Module("functionapp")["parameters"]!["emailAppSettings"]!["value"];
        Assert.Contains("'Monitor__Email__PasswordSetting', 'SmtpPassword', 'SmtpPassword', format('@Microsoft.KeyVault(VaultName={0};SecretName={1})'", passed);
        Assert.Contains("'keyvault'), '2025-04-01').outputs.smtpSecretName.value", passed);
        Assert.DoesNotContain("parameters('smtpPassword')", passed);
    }

    [Fact]
    public void Template_never_reads_keys_or_makes_a_sas()
    {
        Assert.DoesNotMatch(KeyFunctions(), compiled.Text);
        Assert.DoesNotMatch(KeyMaterial(), compiled.Text);
    }

    [Fact]
    public void Identity_gets_the_three_storage_data_roles_with_deterministic_names()
    {
        var (assignment, template) = Assert.Single(compiled.OfType("Microsoft.Authorization/roleAssignments"),
            r => ((string?)r.Resource["properties"]!["principalId"]) == "[parameters('identityPrincipalId')]" && r.Resource["copy"] is not null);

        Assert.Equal("[resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))]", (string?)assignment["scope"]);
        Assert.Equal("ServicePrincipal", (string?)assignment["properties"]!["principalType"]);
        Assert.Contains("variables('appStorageRoles')[copyIndex()]", (string?)assignment["properties"]!["roleDefinitionId"]);
        var roles = CompiledTemplate.Resolve(template["variables"]!["appStorageRoles"], template)!.AsArray().Select(n => (string)n!);
        Assert.Equal([BlobDataOwner, TableDataContributor, QueueDataContributor], roles);
    }

    [Fact]
    public void Every_role_assignment_has_a_deterministic_guid_name()
    {
        var assignments = compiled.OfType("Microsoft.Authorization/roleAssignments").ToList();
        Assert.True(assignments.Count >= 4, $"expected the app's, the telemetry, the deployer's and the dead-letter assignments, found {assignments.Count}");
        foreach (var (assignment, _) in assignments)
        {
            var name = (string?)assignment["name"];
            Assert.NotNull(name);
            Assert.StartsWith("[guid(", name);
            // Only names known before deployment: resource IDs and parameters, never a runtime value or a random one.
            Assert.DoesNotContain("reference(", name);
            Assert.DoesNotContain("newGuid", name);
            Assert.DoesNotContain("principalId')", name.Replace("deployerPrincipalId')", "", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Event_grid_sends_blob_created_under_incoming_to_the_blob_extension_with_retries_and_a_dead_letter_container()
    {
        var (topic, _) = compiled.Single("Microsoft.EventGrid/systemTopics");
        Assert.Equal("Microsoft.Storage.StorageAccounts", (string?)topic["properties"]!["topicType"]);

        var (subscription, template) = compiled.Single("Microsoft.EventGrid/systemTopics/eventSubscriptions");
        Assert.Equal("[parameters('deployEventSubscription')]", (string?)subscription["condition"]);
        var properties = subscription["properties"]!;
        Assert.Equal("WebHook", (string?)properties["destination"]!["endpointType"]);
        Assert.Equal("[parameters('webhookUrl')]", (string?)properties["destination"]!["properties"]!["endpointUrl"]);
        Assert.Equal("securestring", (string?)template["parameters"]!["webhookUrl"]!["type"]);
        Assert.Equal(["Microsoft.Storage.BlobCreated"], properties["filter"]!["includedEventTypes"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("[format('/blobServices/default/containers/{0}/', parameters('incomingContainerName'))]", (string?)properties["filter"]!["subjectBeginsWith"]);
        Assert.Equal(StorageNames.IncomingContainer, (string?)template["parameters"]!["incomingContainerName"]!["defaultValue"]);

        var retry = CompiledTemplate.Resolve(properties["retryPolicy"], template)!;
        Assert.True((int)retry["maxDeliveryAttempts"]! > 1);
        Assert.True((int)retry["eventTimeToLiveInMinutes"]! > 0);

        var deadLetter = properties["deadLetterWithResourceIdentity"]!;
        Assert.Equal("SystemAssigned", (string?)deadLetter["identity"]!["type"]);
        Assert.Equal("StorageBlob", (string?)deadLetter["deadLetterDestination"]!["endpointType"]);
        Assert.Equal("[parameters('deadLetterContainerName')]", (string?)deadLetter["deadLetterDestination"]!["properties"]!["blobContainerName"]);

        // main.bicep passes the same dead-letter container to the storage module (so it exists) and to Event Grid.
        var container = (string?)compiled.Root["variables"]!["deadLetterContainerName"];
        Assert.Equal("eventgrid-deadletter", container);
        Assert.Equal("[variables('deadLetterContainerName')]", (string?)Module("eventgrid")["parameters"]!["deadLetterContainerName"]!["value"]);
        Assert.Equal("[variables('deadLetterContainerName')]", (string?)Module("storage")["parameters"]!["deadLetterContainerName"]!["value"]);
        // The topic's identity may write to that container only.
        var (writer, _) = Assert.Single(compiled.OfType("Microsoft.Authorization/roleAssignments"), r => ((string?)r.Resource["scope"])?.Contains("blobServices/containers", StringComparison.Ordinal) == true);
        Assert.Contains("parameters('deadLetterContainerName')", (string?)writer["scope"]);
    }

    [Fact]
    public void Webhook_targets_the_event_grid_blob_trigger_of_the_built_function_app()
    {
        var url = (string?)Module("eventgrid")["parameters"]!["webhookUrl"]!["value"];
        var match = WebhookUrl().Match(url ?? "");
        Assert.True(match.Success, $"unexpected webhook URL expression: {url}");
        Assert.Equal("securestring", (string?)compiled.Root["parameters"]!["blobsExtensionKey"]!["type"]);

        var bin = Path.Combine(RepoPaths.Root, "functions", "Monitor.Functions", "bin");
        var metadataFile = Directory.EnumerateFiles(bin, "functions.metadata", SearchOption.AllDirectories).OrderByDescending(File.GetLastWriteTimeUtc).First();
        using var metadata = JsonDocument.Parse(File.ReadAllText(metadataFile));
        var function = metadata.RootElement.EnumerateArray().Single(f => f.GetProperty("name").GetString() == match.Groups["function"].Value);
        var trigger = function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "blobTrigger");
        Assert.Equal("EventGrid", trigger.GetProperty("source").GetString());
    }

    [Fact]
    public void Parameters_file_names_only_parameters_of_main_and_sets_every_required_one()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "main.parameters.json")))!["parameters"]!.AsObject();
        var declared = compiled.Root["parameters"]!.AsObject();

        Assert.All(file.Select(p => p.Key), name => Assert.True(declared.ContainsKey(name), $"main.parameters.json sets '{name}', which main.bicep does not declare"));
        Assert.All(declared.Where(p => p.Value!["defaultValue"] is null).Select(p => p.Key), name => Assert.True(file.ContainsKey(name), $"main.parameters.json lacks required parameter '{name}'"));
        // The secret never goes in a file: only the postdeploy hook passes it.
        Assert.False(file.ContainsKey("blobsExtensionKey"));
        Assert.Equal(JsonValueKind.Number, JsonSerializer.SerializeToElement(file["maximumInstanceCount"]!["value"]).ValueKind);
    }

    /// <summary>Pull secrets live in a Key Vault that only Entra ID and RBAC open; app settings hold references, resolved with the app's identity.</summary>
    [Fact]
    public void Pull_secrets_are_key_vault_references_read_with_the_app_identity()
    {
        var (vault, _) = compiled.Single("Microsoft.KeyVault/vaults");
        Assert.True((bool)vault["properties"]!["enableRbacAuthorization"]!);
        Assert.True((bool)vault["properties"]!["enablePurgeProtection"]!);
        Assert.Null(vault["properties"]!["accessPolicies"]);

        const string SecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
        var (assignment, template) = Assert.Single(compiled.OfType("Microsoft.Authorization/roleAssignments"),
            r => ((string?)r.Resource["properties"]!["principalId"]) == "[parameters('identityPrincipalId')]" && ((string?)r.Resource["scope"])!.Contains("Microsoft.KeyVault/vaults", StringComparison.Ordinal));
        Assert.Contains("variables('secretsUser')", (string?)assignment["properties"]!["roleDefinitionId"]);
        Assert.Equal(SecretsUser, (string?)template["variables"]!["secretsUser"]);

        var (site, _) = compiled.Single("Microsoft.Web/sites");
        Assert.Equal("[parameters('identityId')]", (string?)site["properties"]!["keyVaultReferenceIdentity"]);
        var (_, appTemplate) = Assert.Single(compiled.OfType("Microsoft.Web/sites/config"), c => ((string?)c.Resource["name"])!.EndsWith("'appsettings')]", StringComparison.Ordinal));
        var reference = (string?)appTemplate["variables"]!["secretReferences"];
        Assert.Contains("@Microsoft.KeyVault(VaultName={0};SecretName={1})", reference);
        Assert.Contains("parameters('pullSecretSettings')", reference);
        Assert.Equal("[parameters('pullFeedsSchedule')]", AppSettings()["PullFeedsSchedule"]);
    }

    private JsonObject Module(string name) =>
        Assert.Single(compiled.OfType("Microsoft.Resources/deployments"), d => (string?)d.Resource["name"] == name).Resource["properties"]!.AsObject();

    /// <summary>The function app's settings: the base variable (resolved) merged with nothing (the secret references and extraAppSettings default to empty).</summary>
    private Dictionary<string, string> AppSettings()
    {
        var (config, template) = Assert.Single(compiled.OfType("Microsoft.Web/sites/config"), c => ((string?)c.Resource["name"])!.EndsWith("'appsettings')]", StringComparison.Ordinal));
        var expression = (string?)config["properties"];
        Assert.Equal("[union(variables('appSettings'), variables('secretReferences'), parameters('emailAppSettings'), parameters('extraAppSettings'))]", expression);
        Assert.Equal("{}", template["parameters"]!["extraAppSettings"]!["defaultValue"]!.ToJsonString());
        return template["variables"]!["appSettings"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!);
    }

    [GeneratedRegex(@"AccountKey=|SharedAccessSignature|[?&;]sig=|\bsig=", RegexOptions.IgnoreCase)]
    private static partial Regex KeyMaterial();

    [GeneratedRegex(@"list(Keys|AccountSas|ServiceSas|Secrets)\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex KeyFunctions();

    [GeneratedRegex(@"runtime/webhooks/blobs\?functionName=Host\.Functions\.(?<function>[A-Za-z0-9_]+)&code=\{1\}")]
    private static partial Regex WebhookUrl();
}
