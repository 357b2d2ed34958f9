using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Monitor.Core.Reporting;

namespace Monitor.Functions;

/// <summary>
/// The reporting API as HTTP-triggered functions. No function key: in Azure, App Service Authentication signs the
/// caller in with Entra ID before the call reaches us, and <see cref="ApiAccess"/> requires the Monitor.Reader role (401
/// without a caller, 403 without the role). The routes are <see cref="ApiRoutes"/>'s and all handling is
/// <see cref="ReportingApi"/>'s, which `monitor serve` hosts too. The routes sit below /api (host.json sets an empty route
/// prefix so that the console can have the site root).
/// </summary>
public sealed class ReportingHttp(ReportingApi api, ApiAccess access)
{
    [Function(nameof(GetRequests))]
    public Task<HttpResponseData> GetRequests(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Prefix + "/" + ApiRoutes.Requests)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(GetRequest))]
    public Task<HttpResponseData> GetRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Prefix + "/" + ApiRoutes.Request)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(GetAlerts))]
    public Task<HttpResponseData> GetAlerts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Prefix + "/" + ApiRoutes.Alerts)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(GetReport))]
    public Task<HttpResponseData> GetReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Prefix + "/" + ApiRoutes.Report)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(GetBoard))]
    public Task<HttpResponseData> GetBoard(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Prefix + "/" + ApiRoutes.Board)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(GetFeeds))]
    public Task<HttpResponseData> GetFeeds(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Prefix + "/" + ApiRoutes.Feeds)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(GetPulls))]
    public Task<HttpResponseData> GetPulls(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Prefix + "/" + ApiRoutes.Pulls)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    /// <summary>
    /// POST on the report's route: recompute the period and replace its PeriodStats rows (a GET writes nothing). It
    /// writes, so it is an operation: the Monitor.Operator role.
    /// </summary>
    [Function(nameof(RecomputeReport))]
    public Task<HttpResponseData> RecomputeReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.Prefix + "/" + ApiRoutes.Report)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken, ApiRole.Operator);

    private async Task<HttpResponseData> AnswerAsync(HttpRequestData request, CancellationToken cancellationToken, ApiRole role = ApiRole.Reader)
    {
        // The raw path (still percent-encoded) and query: the API decodes each path segment itself.
        var answer = access.Check(request.Principal(), role) is { } denial
            ? ApiResponse.Error(denial.Status, denial.Message)
            : await api.HandleAsync(request.Method, request.Url.PathAndQuery, cancellationToken);
        return await request.WriteAsync(answer, cancellationToken);
    }
}
