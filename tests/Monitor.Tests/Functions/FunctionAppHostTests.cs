using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Monitor.Benchmarks;
using Monitor.Core.Reporting;
using Monitor.Core.Storage;
using Monitor.Functions;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Functions;

/// <summary>
/// The function app's host, built as Program.cs builds it (FunctionsApplication.CreateBuilder + AddMonitorFunctions),
/// against Azurite: every function class resolves from it, and the HTTP functions answer by the caller's Entra ID
/// roles as App Service Authentication passes them on (X-MS-CLIENT-PRINCIPAL).
/// </summary>
public sealed class FunctionAppHostTests : IAsyncLifetime
{
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12];
    private IHost _host = null!;

    public Task InitializeAsync()
    {
        _host = BuildHost(new()
        {
            [StorageConnection.Name] = AzuriteServer.ConnectionString,
            [$"{MonitorOptions.Section}:{nameof(MonitorOptions.StoragePrefix)}"] = _prefix,
            // What App Service sets while authentication (Easy Auth) is on.
            [ApiAccess.AuthEnabledSetting] = "True",
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _host.Services.GetRequiredService<MonitorStorage>().DeleteAllAsync(CancellationToken.None);
        _host.Dispose();
    }

    [Fact]
    public void Every_function_class_resolves_from_the_built_host()
    {
        var classes = FunctionClasses().ToList();

        // The ones this test knows of must be among them, so an empty scan cannot pass.
        Assert.Contains(typeof(ODataFeed), classes);
        Assert.Contains(typeof(ReportingHttp), classes);
        Assert.Contains(typeof(ConsoleHttp), classes);
        Assert.Contains(typeof(PullFeeds), classes);
        Assert.Contains(typeof(RecordPoisonBlob), classes);
        Assert.Contains(typeof(IngestFeed), classes);
        foreach (var type in classes)
        {
            // As the worker's default activator creates a function instance for each invocation.
            Assert.IsType(type, ActivatorUtilities.CreateInstance(_host.Services, type));
        }
    }

    [Fact]
    public async Task The_OData_function_answers_a_reader_and_refuses_a_caller_without_the_role()
    {
        var reader = await CallODataAsync(Principal("Monitor.Reader"));
        var operatorRole = await CallODataAsync(Principal("Monitor.Operator"));
        var noRole = await CallODataAsync(Principal("Some.Other.Role"));
        var anonymous = await CallODataAsync(null);

        Assert.Equal(HttpStatusCode.OK, reader.StatusCode);
        using (var document = JsonDocument.Parse(WorkerHttpCall.BodyOf(reader)))
        {
            Assert.Contains("Requests", document.RootElement.GetProperty("value").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        }
        Assert.Equal(HttpStatusCode.OK, operatorRole.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, noRole.StatusCode);
        using (var error = JsonDocument.Parse(WorkerHttpCall.BodyOf(noRole)))
        {
            Assert.Contains("Monitor.Reader", error.RootElement.GetProperty("error").GetProperty("message").GetString());
        }
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task The_feed_writes_links_with_the_scheme_the_client_used()
    {
        // Behind App Service's front end the worker can see http; the front end says https in X-Forwarded-Proto.
        var function = ActivatorUtilities.CreateInstance<ODataFeed>(_host.Services);
        var call = new WorkerHttpCall(_host.Services, "GET", new Uri("http://func.example/api/odata/"),
            (ApiAccess.PrincipalHeader, Principal("Monitor.Reader")), ("X-Forwarded-Proto", "https"));

        var response = await function.Run(call.Request, CancellationToken.None);

        using var document = JsonDocument.Parse(WorkerHttpCall.BodyOf(response));
        Assert.Equal("https://func.example/api/odata/$metadata", document.RootElement.GetProperty("@odata.context").GetString());
    }

    [Fact]
    public async Task The_reporting_functions_need_the_reader_role_too()
    {
        var function = ActivatorUtilities.CreateInstance<ReportingHttp>(_host.Services);
        var allowed = new WorkerHttpCall(_host.Services, "GET", new Uri("https://func.example/api/requests"), (ApiAccess.PrincipalHeader, Principal("Monitor.Reader")));
        var refused = new WorkerHttpCall(_host.Services, "GET", new Uri("https://func.example/api/requests"), (ApiAccess.PrincipalHeader, Principal()));

        Assert.Equal(HttpStatusCode.OK, (await function.GetRequests(allowed.Request, CancellationToken.None)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await function.GetRequests(refused.Request, CancellationToken.None)).StatusCode);
    }

    [Fact]
    public async Task The_console_needs_the_operator_role()
    {
        var function = ActivatorUtilities.CreateInstance<ConsoleHttp>(_host.Services);
        async Task<HttpResponseData> BoardAsync(string principal) =>
            await function.ConsoleBoard(new WorkerHttpCall(_host.Services, "GET", new Uri("https://func.example/"), (ApiAccess.PrincipalHeader, principal)).Request, CancellationToken.None);

        var operatorRole = await BoardAsync(Principal("Monitor.Operator"));
        var reader = await BoardAsync(Principal("Monitor.Reader"));

        Assert.Equal(HttpStatusCode.OK, operatorRole.StatusCode);
        Assert.Contains("<html", WorkerHttpCall.BodyOf(operatorRole));
        Assert.Equal(HttpStatusCode.Forbidden, reader.StatusCode);
        Assert.Contains("Monitor.Operator", WorkerHttpCall.BodyOf(reader));
    }

    [Fact]
    public async Task Without_app_service_authentication_the_principal_header_is_not_trusted()
    {
        // A client can send any header; only the platform's authentication makes it the caller's.
        using var host = BuildHost(new()
        {
            [StorageConnection.Name] = AzuriteServer.ConnectionString,
            [$"{MonitorOptions.Section}:{nameof(MonitorOptions.StoragePrefix)}"] = _prefix,
        });
        var function = ActivatorUtilities.CreateInstance<ODataFeed>(host.Services);
        var call = new WorkerHttpCall(host.Services, "GET", new Uri("https://func.example/api/odata/"), (ApiAccess.PrincipalHeader, Principal("Monitor.Reader")));

        var response = await function.Run(call.Request, CancellationToken.None);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(ApiAccess.AuthEnabledSetting, WorkerHttpCall.BodyOf(response));
    }

    private async Task<HttpResponseData> CallODataAsync(string? principal)
    {
        var function = ActivatorUtilities.CreateInstance<ODataFeed>(_host.Services);
        var headers = principal is null ? [] : new[] { (ApiAccess.PrincipalHeader, principal) };
        var call = new WorkerHttpCall(_host.Services, "GET", new Uri("https://func.example/api/odata/"), headers);
        return await function.Run(call.Request, CancellationToken.None);
    }

    /// <summary>The host as Program.cs builds it, with test settings layered over the environment's.</summary>
    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddMonitorFunctions();
        return builder.Build();
    }

    /// <summary>Every class of the function app with a [Function] method: what the worker activates.</summary>
    private static IEnumerable<Type> FunctionClasses() => typeof(ODataFeed).Assembly.GetTypes()
        .Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static).Any(m => m.GetCustomAttribute<FunctionAttribute>() is not null));

    /// <summary>An X-MS-CLIENT-PRINCIPAL as Easy Auth writes it for an Entra ID token with these app roles.</summary>
    internal static string Principal(params string[] roles)
    {
        var claims = roles.Select(r => new { typ = "roles", val = r })
            .Prepend(new { typ = "name", val = "analyst@example.org" });
        var json = JsonSerializer.Serialize(new
        {
            auth_typ = "aad",
            claims,
            name_typ = "name",
            role_typ = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
        });
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }
}
