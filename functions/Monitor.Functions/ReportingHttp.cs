using System.Net;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Monitor.Core.Reporting;

namespace Monitor.Functions;

/// <summary>
/// The reporting API as HTTP-triggered functions. Function-level keys (never anonymous): the Functions host rejects a
/// call without a valid key (x-functions-key header or ?code=) with 401 before it reaches us. All request handling is
/// in <see cref="ReportingApi"/>, which `monitor serve` hosts too.
/// </summary>
public sealed class ReportingHttp(ReportingApi api)
{
    [Function("GetRequests")]
    public Task<HttpResponseData> Requests(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "requests")] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function("GetRequest")]
    public Task<HttpResponseData> Request(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "requests/{id}")] HttpRequestData request, string id, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function("GetAlerts")]
    public Task<HttpResponseData> Alerts(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "alerts")] HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    [Function("GetReport")]
    public Task<HttpResponseData> Report(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "reports/{period}")] HttpRequestData request, string period, CancellationToken cancellationToken) =>
        AnswerAsync(request, cancellationToken);

    private async Task<HttpResponseData> AnswerAsync(HttpRequestData request, CancellationToken cancellationToken)
    {
        // The raw path (still percent-encoded) and query: the API decodes each path segment itself.
        var answer = await api.HandleAsync(request.Method, request.Url.AbsolutePath, request.Url.Query, cancellationToken);
        var response = request.CreateResponse((HttpStatusCode)answer.Status);
        response.Headers.Add("Content-Type", answer.ContentType);
        response.Headers.Add("X-Content-Type-Options", "nosniff");
        await response.WriteStringAsync(answer.Body, cancellationToken);
        return response;
    }
}
