using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Configuration;
using Monitor.Core.WebConsole;

namespace Monitor.Functions;

/// <summary>
/// The web console at the site root (host.json's route prefix is empty). Anonymous at the Functions level because a
/// browser has no function key: the caller is identified by App Service Authentication (Entra ID), which validates the
/// sign-in before the request reaches the app and passes the caller on in X-MS-CLIENT-PRINCIPAL; the console needs the
/// Monitor.Operator app role. All rendering is <see cref="ConsoleSite"/>'s, which `monitor serve` hosts too.
/// </summary>
public sealed class ConsoleHttp(ConsoleSite console, IConfiguration configuration)
{
    /// <summary>The site root: an optional segment of length 0 (the Functions host has no empty route template).</summary>
    public const string RootRoute = "{root:maxlength(0)?}";

    [Function(nameof(ConsoleBoard))]
    public Task<HttpResponseData> ConsoleBoard(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RootRoute)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(ConsoleRequest))]
    public Task<HttpResponseData> ConsoleRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ConsoleRoutes.Request)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(ConsoleFeeds))]
    public Task<HttpResponseData> ConsoleFeeds(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ConsoleRoutes.Feeds)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(ConsoleReview))]
    public Task<HttpResponseData> ConsoleReview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ConsoleRoutes.Review)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(ConsoleAsset))]
    public Task<HttpResponseData> ConsoleAsset(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ConsoleRoutes.Asset)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    private async Task<HttpResponseData> AnswerAsync(HttpRequestData request, CancellationToken cancellationToken)
    {
        var target = request.Url.PathAndQuery;
        var page = ConsoleSite.IsAsset(request.Url.AbsolutePath) ? null : OperatorDenial(request);
        page ??= await console.HandleAsync(request.Method, target, cancellationToken);
        var response = request.CreateResponse((HttpStatusCode)page.Status);
        foreach (var (name, value) in page.Headers)
        {
            response.Headers.Add(name, value);
        }
        await response.WriteStringAsync(page.Body, cancellationToken);
        return response;
    }

    /// <summary>
    /// Null when the caller holds Monitor.Operator. The platform writes X-MS-CLIENT-PRINCIPAL (replacing any a client sent)
    /// only while App Service Authentication is on (WEBSITE_AUTH_ENABLED=True); without it the header is not trusted and the
    /// console is closed.
    /// </summary>
    private ConsoleResponse? OperatorDenial(HttpRequestData request)
    {
        if (!string.Equals(configuration["WEBSITE_AUTH_ENABLED"], "true", StringComparison.OrdinalIgnoreCase))
        {
            return ConsoleSite.Refused(401, "App Service Authentication is not enabled on this app, so no one can be signed in; deploy with infra/ (Entra ID sign-in), or use `monitor serve` locally.");
        }
        if (!request.Headers.TryGetValues("X-MS-CLIENT-PRINCIPAL", out var values) || values.FirstOrDefault() is not { Length: > 0 } header)
        {
            return ConsoleSite.Refused(401, "Sign in with your organisation's Entra ID account.");
        }
        return RolesOf(header).Contains("Monitor.Operator")
            ? null
            : ConsoleSite.Refused(403, "The console needs the app role Monitor.Operator; ask an administrator to assign it to you in Entra ID.");
    }

    /// <summary>The role claims of an Easy Auth client principal (base64 JSON: claims [{typ, val}], role_typ); empty when it is not one.</summary>
    private static HashSet<string> RolesOf(string principal)
    {
        var roles = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var json = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(principal)));
            var roleType = json.RootElement.TryGetProperty("role_typ", out var typ) ? typ.GetString() : null;
            foreach (var claim in json.RootElement.GetProperty("claims").EnumerateArray())
            {
                var type = claim.GetProperty("typ").GetString();
                if ((type == roleType || type is "roles" or "http://schemas.microsoft.com/ws/2008/06/identity/claims/role") && claim.GetProperty("val").GetString() is { } role)
                {
                    roles.Add(role);
                }
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            roles.Clear();
        }
        return roles;
    }
}
