namespace Berth.Dashboard;

/// <summary>The rows of one page of a keyset-paged dashboard list, and its links (<see cref="KeysetPaging"/>).</summary>
public sealed record KeysetPage<T>(IReadOnlyList<T> Items, KeysetLinks Links);
