using System.Net;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Monitor.Core.Reporting;

namespace Monitor.Functions;

/// <summary>
/// The reporting API as HTTP-triggered functions. Function-level keys (never anonymous): the Functions host rejects a
/// call without a valid key (x-functions-key header or ?code=) with 401 before it reaches us. The routes are
/// <see cref="ApiRoutes"/>'s below /api (host.json sets an empty route prefix so that the console can have the site root)
/// and all handling is <see cref="ReportingApi"/>'s, which `monitor serve` hosts too.
/// </summary>
public sealed class ReportingHttp(ReportingApi api)
{
    [Function(nameof(GetRequests))]
    public Task<HttpResponseData> GetRequests(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Prefix + "/" + ApiRoutes.Requests)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(GetRequest))]
    public Task<HttpResponseData> GetRequest(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Prefix + "/" + ApiRoutes.Request)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(GetAlerts))]
    public Task<HttpResponseData> GetAlerts(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Prefix + "/" + ApiRoutes.Alerts)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(GetReport))]
    public Task<HttpResponseData> GetReport(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Prefix + "/" + ApiRoutes.Report)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(GetBoard))]
    public Task<HttpResponseData> GetBoard(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Prefix + "/" + ApiRoutes.Board)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(GetFeeds))]
    public Task<HttpResponseData> GetFeeds(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Prefix + "/" + ApiRoutes.Feeds)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    private async Task<HttpResponseData> AnswerAsync(HttpRequestData request, CancellationToken cancellationToken)
    {
        // The raw path (still percent-encoded) and query: the API decodes each path segment itself.
        var answer = await api.HandleAsync(request.Method, request.Url.PathAndQuery, cancellationToken);
        var response = request.CreateResponse((HttpStatusCode)answer.Status);
        foreach (var (name, value) in answer.Headers)
        {
            response.Headers.Add(name, value);
        }
        await response.WriteStringAsync(answer.Body, cancellationToken);
        return response;
    }
}
