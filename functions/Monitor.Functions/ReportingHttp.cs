using System.Net;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Monitor.Core.Reporting;

namespace Monitor.Functions;

/// <summary>
/// The reporting API as HTTP-triggered functions. Function-level keys (never anonymous): the Functions host rejects a
/// call without a valid key (x-functions-key header or ?code=) with 401 before it reaches us. The routes are
/// <see cref="ApiRoutes"/>'s and all handling is <see cref="ReportingApi"/>'s, which `monitor serve` hosts too.
/// </summary>
public sealed class ReportingHttp(ReportingApi api)
{
    [Function(nameof(GetRequests))]
    public Task<HttpResponseData> GetRequests(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Requests)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(GetRequest))]
    public Task<HttpResponseData> GetRequest(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Request)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(GetAlerts))]
    public Task<HttpResponseData> GetAlerts(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Alerts)] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function(nameof(GetReport))]
    public Task<HttpResponseData> GetReport(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = ApiRoutes.Report)] HttpRequestData request, CancellationToken cancellationToken) =>
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
        if (answer.Bytes is { } bytes)
        {
            await response.WriteBytesAsync(bytes, cancellationToken);
        }
        else
        {
            await response.WriteStringAsync(answer.Body, cancellationToken);
        }
        return response;
    }
}
