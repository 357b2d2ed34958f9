using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Monitor.Core.Reporting;
using Monitor.Core.Reporting.OData;
using Monitor.Core.WebConsole;

namespace Monitor.Cli;

/// <summary>
/// `monitor serve`: the reporting API and the OData feed (/api/odata/) on 127.0.0.1 with Kestrel, answering like the HTTP-triggered functions, and the web
/// console at / (<see cref="ConsoleSite"/>). Like a function key, a key is required on every call (x-functions-key header or
/// ?code=); without it the answer is 401. A console page opened with the right ?code= also sets a session cookie holding
/// the key (HttpOnly, SameSite=Strict), so the key is given once: links, the board's refresh and the review page's links
/// to the API carry the cookie, which is accepted like the header.
/// </summary>
public sealed partial class LocalApiServer : IAsyncDisposable
{
    public const string KeyHeader = "x-functions-key";
    public const string KeyVariable = "MONITOR_API_KEY";
    public const string SessionCookie = "monitor-session";

    private readonly WebApplication _app;

    private LocalApiServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>Where the server listens, e.g. http://127.0.0.1:7071/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>A random key for when none is configured: 32 bytes, URL-safe base64.</summary>
    public static string GenerateKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Starts listening on 127.0.0.1:<paramref name="port"/> (0 = a free port).</summary>
    public static async Task<LocalApiServer> StartAsync(IServiceProvider services, string key, int port, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        var api = services.GetRequiredService<ReportingApi>();
        var odata = services.GetRequiredService<ODataService>();
        ArgumentException.ThrowIfNullOrEmpty(key);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // The verb owns Ctrl+C and SIGTERM (its cancellation token). The default console lifetime would take the same
        // signals and stop the server from inside the signal handler, where it hangs: `monitor serve` ignored both.
        builder.Services.AddSingleton<IHostLifetime, VerbLifetime>();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var logger = (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<LocalApiServer>();
        var expected = Encoding.UTF8.GetBytes(key);
        var console = new ConsoleSite(api);
        app.Run(async context =>
        {
            if (ConsoleSite.Serves(context.Request.Path.Value ?? "/"))
            {
                var page = await ConsoleAsync(console, expected, context, logger);
                context.Response.StatusCode = page.Status;
                foreach (var (name, value) in page.Headers)
                {
                    context.Response.Headers[name] = value;
                }
                await context.Response.WriteAsync(page.Body, context.RequestAborted);
                return;
            }
            var answer = await AnswerAsync(api, odata, expected, context, logger);
            context.Response.StatusCode = answer.Status;
            foreach (var (name, value) in answer.Headers)
            {
                context.Response.Headers[name] = value;
            }
            if (answer.Bytes is { } bytes)
            {
                await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
            }
            else
            {
                await context.Response.WriteAsync(answer.Body, context.RequestAborted);
            }
        });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new LocalApiServer(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    private static async Task<ApiResponse> AnswerAsync(ReportingApi api, ODataService odata, byte[] expectedKey, HttpContext context, ILogger logger)
    {
        // The raw target keeps the percent-encoding, as the Functions host hands it over: the API decodes segments itself.
        var target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        if (Refusal(context, expectedKey) is { } refusal)
        {
            return ApiResponse.Error(401, refusal);
        }
        try
        {
            if (ODataService.Owns(target.Split('?', 2)[0]))
            {
                var url = new Uri(new Uri($"{context.Request.Scheme}://{context.Request.Host}"), target);
                return await odata.HandleAsync(new ODataCall(context.Request.Method, url, context.Request.Headers["Prefer"]), context.RequestAborted);
            }
            return await api.HandleAsync(context.Request.Method, target, context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex, target.Split('?', 2)[0]);
            return ApiResponse.Error(500, "the server failed to answer; see its log");
        }
    }

    private static async Task<ConsoleResponse> ConsoleAsync(ConsoleSite console, byte[] expectedKey, HttpContext context, ILogger logger)
    {
        var target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var path = context.Request.Path.Value ?? "/";
        if (!ConsoleSite.IsAsset(path))
        {
            if (Refusal(context, expectedKey) is not null)
            {
                return ConsoleSite.SignInPage(path, wrongKey: context.Request.Query.ContainsKey(ReportingApi.KeyParameter));
            }
            if (context.Request.Query.ContainsKey(ReportingApi.KeyParameter))
            {
                // The key given once as ?code= is kept for the browser session (no expiry), out of reach of scripts.
                context.Response.Cookies.Append(SessionCookie, context.Request.Query[ReportingApi.KeyParameter]!,
                    new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true });
            }
        }
        try
        {
            return await console.HandleAsync(context.Request.Method, target, context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex, path);
            return ConsoleSite.ServerError();
        }
    }

    /// <summary>
    /// Why the call is refused (no key, or a wrong one: two different fixes for the caller), or null when its key is right.
    /// The key comes from the header, else ?code=, else the console's session cookie, and is compared in constant time.
    /// </summary>
    private static string? Refusal(HttpContext context, byte[] expected)
    {
        string? given = context.Request.Headers[KeyHeader];
        if (string.IsNullOrEmpty(given) && context.Request.Query.TryGetValue(ReportingApi.KeyParameter, out var code))
        {
            given = code;
        }
        if (string.IsNullOrEmpty(given))
        {
            given = context.Request.Cookies[SessionCookie];
        }
        if (string.IsNullOrEmpty(given))
        {
            return $"a key is required: send the {KeyHeader} header or ?code= (the key printed by `monitor serve`, or ${KeyVariable})";
        }
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), expected)
            ? null
            : $"the key is wrong: it is not the one `monitor serve` printed at start-up (or ${KeyVariable} of the server); check for a stale or truncated key";
    }

    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Starts and stops with the verb; no signal handling of its own.</summary>
    private sealed class VerbLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reporting API call {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string path);
}
