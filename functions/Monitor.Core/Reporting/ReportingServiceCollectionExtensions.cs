using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Reporting.OData;

namespace Monitor.Core.Reporting;

internal static class ReportingServiceCollectionExtensions
{
    /// <summary>The review-pack service, the reporting HTTP API and OData feed (hosted by the function app and `monitor serve`), and the role check.</summary>
    public static IServiceCollection AddMonitorReporting(this IServiceCollection services) => services
        .AddSingleton<ReportService>()
        .AddSingleton<ReportingApi>()
        .AddSingleton<ODataService>()
        .AddSingleton<ApiAccess>();
}
