using System.Net;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Monitor.Core.Reporting;
using Monitor.Core.WebConsole;

namespace Monitor.Functions;

/// <summary>
/// The web console at the site root (host.json's route prefix is empty). Anonymous at the Functions level because a
/// browser has no function key: the caller is identified by App Service Authentication (Entra ID), which validates the
/// sign-in before the request reaches the app and passes the caller on in X-MS-CLIENT-PRINCIPAL; the console needs the
/// Monitor.Operator app role. All rendering is <see cref="ConsoleSite"/>'s, which `monitor serve` hosts too.
/// </summary>
public sealed class ConsoleHttp(ConsoleSite console, ApiAccess access)
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

    /// <summary>Null when the caller holds Monitor.Operator (the shared role check of the API, <see cref="ApiAccess"/>).</summary>
    private ConsoleResponse? OperatorDenial(HttpRequestData request) =>
        access.Check(request.Principal(), ApiRole.Operator) is { } denial ? ConsoleSite.Refused(denial.Status, denial.Message) : null;
}
