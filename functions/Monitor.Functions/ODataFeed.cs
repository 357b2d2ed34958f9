using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Monitor.Core.Reporting;
using Monitor.Core.Reporting.OData;

namespace Monitor.Functions;

/// <summary>
/// The OData v4 feed (/api/odata/) for Power BI, Excel and scripts. No function key: in Azure, App Service
/// Authentication signs the caller in with Entra ID, and <see cref="ApiAccess"/> requires the Monitor.Reader role.
/// All handling is <see cref="ODataService"/>'s, which `monitor serve` hosts too.
/// </summary>
public sealed class ODataFeed(ODataService odata, ApiAccess access)
{
    [Function(nameof(ODataFeed))]
    public async Task<HttpResponseData> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Prefix + "/" + ApiRoutes.OData)] HttpRequestData request, CancellationToken cancellationToken)
    {
        var answer = access.Check(request.Principal(), ApiRole.Reader) is { } denial
            ? ODataService.Denied(request.Url, denial)
            : await odata.HandleAsync(new ODataCall(request.Method, request.PublicUrl(), request.Header("Prefer")), cancellationToken);
        return await request.WriteAsync(answer, cancellationToken);
    }
}
