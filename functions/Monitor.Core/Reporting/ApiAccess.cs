using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Monitor.Core.Reporting;

/// <summary>What a caller may do, as app roles of the Entra ID app registration (infra/auth/app-roles.json).</summary>
public enum ApiRole
{
    /// <summary>Monitor.Reader: the reporting routes (the HTTP API and the OData feed).</summary>
    Reader,
    /// <summary>Monitor.Operator: the web console and operations; it includes everything a reader may do.</summary>
    Operator,
}

/// <summary>A refusal: 401 (who is calling is unknown) or 403 (known, without the role), and why.</summary>
public sealed record ApiDenial(int Status, string Message);

/// <summary>
/// The role check of the function app's HTTP routes. In Azure, App Service Authentication (Easy Auth, Entra ID)
/// validates the caller's token before the request reaches the app and passes the caller on in the
/// <c>X-MS-CLIENT-PRINCIPAL</c> header (base64 JSON with the token's claims); the app grants a route when the claims
/// hold its role. The platform writes that header (replacing any the client sent) only while authentication is on,
/// which it announces in <c>WEBSITE_AUTH_ENABLED=True</c>: without that setting the header is not trusted and every
/// call is refused, so a deployment without Easy Auth is closed, not open. `monitor serve` checks its key instead.
/// </summary>
public sealed class ApiAccess(IConfiguration configuration)
{
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL";
    public const string AuthEnabledSetting = "WEBSITE_AUTH_ENABLED";
    public const string ReaderRole = "Monitor.Reader";
    public const string OperatorRole = "Monitor.Operator";

    /// <summary>The role claim types Easy Auth uses for Entra ID app roles ("roles" in the token, or the WS-Fed URI).</summary>
    private static readonly string[] RoleClaimTypes = ["roles", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"];

    public static string RoleName(ApiRole role) => role == ApiRole.Operator ? OperatorRole : ReaderRole;

    /// <summary>Null when the caller described by <paramref name="principalHeader"/> holds <paramref name="required"/>; else why not.</summary>
    public ApiDenial? Check(string? principalHeader, ApiRole required)
    {
        if (!string.Equals(configuration[AuthEnabledSetting], "true", StringComparison.OrdinalIgnoreCase))
        {
            return new(401, $"App Service Authentication is not enabled on this app ({AuthEnabledSetting} is not True), so no caller can be identified; deploy with infra/ (Entra ID sign-in), or use `monitor serve` locally");
        }
        if (string.IsNullOrEmpty(principalHeader))
        {
            return new(401, "sign in with Entra ID (an Organizational account in Power BI and Excel)");
        }
        if (RolesOf(principalHeader) is not { } roles)
        {
            return new(401, $"the {PrincipalHeader} header is not a client principal");
        }
        var granted = roles.Contains(RoleName(required)) || (required == ApiRole.Reader && roles.Contains(OperatorRole));
        return granted ? null : new(403, $"this needs the app role {RoleName(required)}; ask an administrator to assign it to you in Entra ID (Enterprise applications, Monitor, Users and groups)");
    }

    /// <summary>The role claims of an Easy Auth client principal (base64 JSON), or null when it is not one.</summary>
    public static IReadOnlySet<string>? RolesOf(string principalHeader)
    {
        try
        {
            using var json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(principalHeader)));
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("claims", out var claims) || claims.ValueKind != JsonValueKind.Array)
            {
                return null;
            }
            var roleType = root.TryGetProperty("role_typ", out var typ) && typ.ValueKind == JsonValueKind.String ? typ.GetString() : null;
            var roles = new HashSet<string>(StringComparer.Ordinal);
            foreach (var claim in claims.EnumerateArray())
            {
                if (claim.ValueKind == JsonValueKind.Object
                    && claim.TryGetProperty("typ", out var type) && type.GetString() is { } t && (t == roleType || RoleClaimTypes.Contains(t))
                    && claim.TryGetProperty("val", out var value) && value.GetString() is { } v)
                {
                    roles.Add(v);
                }
            }
            return roles;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
