namespace Berth.Metadata.Sql;

/// <summary>How a write's commit reaches the disk.</summary>
public enum WriteMode
{
    /// <summary>Durable before the commit returns: a write that was answered survives a power cut.</summary>
    Durable,

    /// <summary>
    /// A purge batch of records nobody can reach any more: the commit returns before it reaches the disk. A batch lost
    /// to a crash is simply purged again (the marks that made the records unreachable were committed durably), and
    /// a later durable commit never survives without the batches before it.
    /// </summary>
    Purge,
}
