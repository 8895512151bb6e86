using Microsoft.Data.Sqlite;

namespace Berth.Metadata.Sqlite;

/// <summary>
/// A connection that holds the writer's turn (<see cref="SqliteWriteGate"/>) until it is disposed: the turn is
/// handed on only after the connection has closed, so after any transaction on it was committed or rolled back.
/// </summary>
internal sealed class SqliteWriterConnection(string connectionString, IDisposable turn) : SqliteConnection(connectionString)
{
    protected override void Dispose(bool disposing)
    {
        try
        {
            base.Dispose(disposing);
        }
        finally
        {
            if (disposing)
            {
                turn.Dispose();
            }
        }
    }
}
