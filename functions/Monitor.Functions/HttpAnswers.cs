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

    /// <summary>
    /// The URL as the client sent it: behind App Service's front end the worker may see http, and the front end names
    /// the client's scheme in X-Forwarded-Proto. Links the feed writes (@odata.nextLink) must use the client's.
    /// </summary>
    public static Uri PublicUrl(this HttpRequestData request) =>
        request.Header("X-Forwarded-Proto") is "https" && request.Url.Scheme == Uri.UriSchemeHttp
            ? new UriBuilder(request.Url) { Scheme = Uri.UriSchemeHttps, Port = -1 }.Uri
            : request.Url;

    public static async Task<HttpResponseData> WriteAsync(this HttpRequestData request, ApiResponse answer, CancellationToken cancellationToken)
    {
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
