using System.Text.Json.Nodes;
using Monitor.Core.Reporting;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Infra;

/// <summary>
/// Sign-in as the compiled template deploys it: App Service Authentication with Entra ID in front of every route but the
/// blob extension's webhook, 401 for a caller without a token, no client secret, and the app roles the code checks.
/// </summary>
public sealed class AuthTemplateTests(CompiledTemplate compiled) : IClassFixture<CompiledTemplate>
{
    [Fact]
    public void App_service_authentication_requires_an_entra_id_sign_in_on_every_route_but_the_blob_webhook()
    {
        var (auth, template) = SiteConfig("authsettingsV2");
        var properties = CompiledTemplate.Resolve(auth["properties"], template)!;

        Assert.True((bool)properties["platform"]!["enabled"]!);
        var global = properties["globalValidation"]!;
        Assert.True((bool)global["requireAuthentication"]!);
        Assert.Equal("Return401", (string?)global["unauthenticatedClientAction"]);
        Assert.Equal(["/runtime/webhooks/blobs"], global["excludedPaths"]!.AsArray().Select(p => (string?)p));
        Assert.True((bool)properties["httpSettings"]!["requireHttps"]!);

        var aad = properties["identityProviders"]!["azureActiveDirectory"]!;
        Assert.True((bool)aad["enabled"]!);
        Assert.Equal("[parameters('authClientId')]", (string?)aad["registration"]!["clientId"]);
        // The tenant of the deployment, on the cloud's own login endpoint (no hard-coded URL).
        Assert.Equal("[format('{0}{1}/v2.0', environment().authentication.loginEndpoint, tenant().tenantId)]", (string?)aad["registration"]!["openIdIssuer"]);
        var audiences = aad["validation"]!["allowedAudiences"]!.AsArray().Select(a => (string?)a).ToList();
        Assert.Contains("[format('api://{0}', parameters('authClientId'))]", audiences);
        Assert.Single(audiences, a => a!.Contains("defaultHostName", StringComparison.Ordinal));
    }

    [Fact]
    public void Authentication_uses_the_managed_identity_not_a_client_secret()
    {
        var (auth, template) = SiteConfig("authsettingsV2");
        var registration = CompiledTemplate.Resolve(auth["properties"], template)!["identityProviders"]!["azureActiveDirectory"]!["registration"]!;
        var (settings, settingsTemplate) = SiteConfig("appsettings");
        var appSettings = settingsTemplate["variables"]!["appSettings"]!.AsObject();

        var secretSetting = (string?)registration["clientSecretSettingName"];
        Assert.Equal("OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID", secretSetting);
        Assert.Equal("[parameters('identityClientId')]", (string?)appSettings[secretSetting!]);
        Assert.Null(registration["clientSecret"]);
        Assert.Null(registration["clientSecretCertificateThumbprint"]);
        Assert.NotNull(settings);
    }

    [Fact]
    public void The_client_id_is_a_required_parameter_fed_from_the_azd_environment()
    {
        var declared = compiled.Root["parameters"]!["authClientId"]!;
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "main.parameters.json")))!["parameters"]!;

        Assert.Null(declared["defaultValue"]);
        Assert.Equal(1, (int)declared["minLength"]!);
        Assert.Equal("${AZURE_AUTH_CLIENT_ID}", (string?)file["authClientId"]!["value"]);
    }

    [Fact]
    public void The_app_roles_file_defines_the_roles_the_code_checks()
    {
        var roles = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "auth", "app-roles.json")))!.AsArray();

        Assert.Equal([ApiAccess.ReaderRole, ApiAccess.OperatorRole], roles.Select(r => (string?)r!["value"]));
        Assert.Equal([ApiAccess.RoleName(ApiRole.Reader), ApiAccess.RoleName(ApiRole.Operator)], roles.Select(r => (string?)r!["value"]));
        Assert.All(roles, r =>
        {
            Assert.True(Guid.TryParse((string?)r!["id"], out _));
            Assert.True((bool)r["isEnabled"]!);
            Assert.Contains("User", r["allowedMemberTypes"]!.AsArray().Select(t => (string?)t));
        });
        Assert.Equal(2, roles.Select(r => (string?)r!["id"]).Distinct().Count());
    }

    private (JsonObject Resource, JsonObject Template) SiteConfig(string name) =>
        Assert.Single(compiled.OfType("Microsoft.Web/sites/config"), c => ((string?)c.Resource["name"])!.EndsWith($"'{name}')]", StringComparison.Ordinal));
}
