using System.Reflection;
using Microsoft.OData.Edm;
using Monitor.Core.Storage;

namespace Monitor.Core.Reporting.OData;

/// <summary>
/// The feed's entity data model: one entity set per public table, named as the table, with the row class's typed
/// columns (DateTimeOffset: Edm.DateTimeOffset, int: Edm.Int32, double: Edm.Double, bool: Edm.Boolean) and the key
/// (PartitionKey, RowKey). Adding a table to the feed is one line in <see cref="Sets"/>.
/// </summary>
public static class ODataModel
{
    public const string Namespace = "Monitor";

    /// <summary>The entity sets, in the order the service document lists them.</summary>
    public static readonly IReadOnlyList<ODataEntitySet> Sets =
    [
        ODataEntitySet.Of<RequestEntity>(StorageNames.RequestsTable, nameof(RequestEntity.RespondingParty), KeyEncoding.Encode),
        ODataEntitySet.Of<RequestEventEntity>(StorageNames.RequestEventsTable, nameof(RequestEventEntity.RequestId), KeyEncoding.RequestKey),
        ODataEntitySet.Of<MatchEntity>(StorageNames.MatchesTable, nameof(MatchEntity.RequestId), KeyEncoding.RequestKey),
        ODataEntitySet.Of<AlertEntity>(StorageNames.AlertsTable),
        ODataEntitySet.Of<AlertDeliveryEntity>(StorageNames.AlertDeliveriesTable),
        ODataEntitySet.Of<FeedRunEntity>(StorageNames.FeedRunsTable, nameof(FeedRunEntity.Source), KeyEncoding.Encode),
        ODataEntitySet.Of<RejectEntity>(StorageNames.RejectsTable),
        ODataEntitySet.Of<PeriodStatsEntity>(StorageNames.PeriodStatsTable, nameof(PeriodStatsEntity.Period), static period => period),
        ODataEntitySet.Of<PullStateEntity>(StorageNames.PullStateTable),
    ];

    public static IEdmModel Edm { get; } = Build(Sets);

    internal static IEdmModel Build(IEnumerable<ODataEntitySet> sets)
    {
        var model = new EdmModel();
        var container = new EdmEntityContainer(Namespace, "Container");
        model.AddElement(container);
        var context = new NullabilityInfoContext();
        foreach (var set in sets)
        {
            var type = new EdmEntityType(Namespace, set.TypeName);
            foreach (var column in set.Columns())
            {
                var (kind, nullable) = ODataEntitySet.EdmTypeOf(column, context);
                var isKey = column.Name is "PartitionKey" or "RowKey";
                var property = type.AddStructuralProperty(column.Name, kind, nullable && !isKey);
                if (isKey)
                {
                    type.AddKeys(property);
                }
            }
            model.AddElement(type);
            container.AddEntitySet(set.Name, type);
        }
        return model;
    }

    /// <summary>The set named <paramref name="name"/> (case-sensitive, as OData names are).</summary>
    public static ODataEntitySet? Find(string name) => Sets.FirstOrDefault(s => s.Name == name);
}
