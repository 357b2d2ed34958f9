using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Core.Config;

namespace Monitor.Core.Pull;

/// <summary>
/// The GETs of a pull, through the named HttpClient <see cref="ClientName"/> (default handler: TLS certificates are
/// always verified). Adds the source's Basic or Bearer credentials, read from the app setting the source names, and
/// waits out 429 / 503 answers for their Retry-After.
/// </summary>
public sealed partial class PullHttp(IHttpClientFactory clients, IConfiguration configuration, IOptions<PullOptions> options, RetryDelay delay, TimeProvider time, ILogger<PullHttp> logger)
{
    public const string ClientName = "pull";

    /// <summary>
    /// GETs <paramref name="url"/> and returns the response with its headers read (the body still streaming), for
    /// 2xx and 304; anything else throws a <see cref="PullException"/> that says what the server answered.
    /// </summary>
    public async Task<HttpResponseMessage> GetAsync(string source, PullSettings pull, Uri url, Action<HttpRequestHeaders>? headers, CancellationToken cancellationToken)
    {
        var authorization = Authorization(source, pull);
        using var client = clients.CreateClient(ClientName);
        client.Timeout = options.Value.RequestTimeout;
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = authorization;
            headers?.Invoke(request.Headers);
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                throw new PullException($"GET {Show(url)} failed: {ex.GetBaseException().Message}", ex);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new PullException($"GET {Show(url)} timed out after {options.Value.RequestTimeout.TotalSeconds:0} s", ex);
            }
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotModified)
            {
                return response;
            }
            using (response)
            {
                if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable && attempt < options.Value.MaxRetries)
                {
                    var wait = RetryAfter(response.Headers.RetryAfter, time.GetUtcNow()) ?? TimeSpan.FromSeconds(Math.Pow(2, attempt));
                    if (wait > options.Value.MaxRetryAfter)
                    {
                        throw new PullException($"GET {Show(url)}: HTTP {(int)response.StatusCode} asks to retry after {wait.TotalSeconds:0} s, more than Pull:MaxRetryAfter ({options.Value.MaxRetryAfter.TotalSeconds:0} s); the next scheduled pull tries again");
                    }
                    LogRetryAfter(source, (int)response.StatusCode, wait.TotalSeconds);
                    await delay(wait, cancellationToken);
                    continue;
                }
                throw new PullException(await DescribeAsync(source, pull, url, response, cancellationToken));
            }
        }
    }

    /// <summary>
    /// The wait a Retry-After asks for: seconds, or an HTTP date counted from <paramref name="now"/> (real time, from the
    /// injected TimeProvider: the server's clock is real, whatever --as-of says). Null when absent.
    /// </summary>
    internal static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
        { Date: { } date } => date - now is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero,
        _ => null,
    };

    private AuthenticationHeaderValue? Authorization(string source, PullSettings pull)
    {
        if (pull.TokenSetting is { } tokenSetting)
        {
            return new AuthenticationHeaderValue("Bearer", Secret(source, "tokenSetting", tokenSetting));
        }
        if (pull.Username is { } user && pull.PasswordSetting is { } passwordSetting)
        {
            var password = Secret(source, "passwordSetting", passwordSetting);
            return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }
        return null;
    }

    private string Secret(string source, string field, string setting) =>
        configuration[setting] is { Length: > 0 } value
            ? value
            : throw new PullException($"source '{source}': pull.{field} names the app setting '{setting}', which is not set (in Azure, a Key Vault reference; locally, an environment variable)");

    private static async Task<string> DescribeAsync(string source, PullSettings pull, Uri url, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = $"GET {Show(url)}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var which = pull.TokenSetting is { } t ? $"the token in app setting '{t}'"
                : pull.Username is { } u ? $"pull.username '{u}' and the password in app setting '{pull.PasswordSetting}'"
                : "no credentials are configured (pull.username + passwordSetting, or tokenSetting)";
            return $"{status}: the server refused the credentials of source '{source}'; check {which}";
        }
        // The first few hundred characters of the body usually say why (TAXII servers answer with an error resource).
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        body = body.Length > 300 ? body[..300] + "..." : body;
        return body.Length == 0 ? status : $"{status}: {body.ReplaceLineEndings(" ")}";
    }

    /// <summary>The URL without its query, for messages.</summary>
    internal static string Show(Uri url) => url.GetLeftPart(UriPartial.Path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pull of {Source}: HTTP {Status}, retrying after {Seconds} s as the server asks")]
    private partial void LogRetryAfter(string source, int status, double seconds);
}
