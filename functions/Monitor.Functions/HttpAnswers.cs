using System.Net;
using Microsoft.Azure.Functions.Worker.Http;
using Monitor.Core.Reporting;

namespace Monitor.Functions;

/// <summary>What the HTTP-triggered functions share: the caller's headers in, an <see cref="ApiResponse"/> out.</summary>
internal static class HttpAnswers
{
    /// <summary>The first value of a request header, or null.</summary>
    public static string? Header(this HttpRequestData request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>The caller's Entra ID principal, as App Service Authentication passes it on.</summary>
    public static string? Principal(this HttpRequestData request) => request.Header(ApiAccess.PrincipalHeader);

    public static async Task<HttpResponseData> WriteAsync(this HttpRequestData request, ApiResponse answer, CancellationToken cancellationToken)
    {
        var response = request.CreateResponse((HttpStatusCode)answer.Status);
        foreach (var (name, value) in answer.Headers)
        {
            response.Headers.Add(name, value);
        }
        await response.WriteStringAsync(answer.Body, cancellationToken);
        return response;
    }
}
