#pragma once
// The warehouse side: applies batches of changes to destination tables together with the
// checkpoint (where the input resumes), in one transaction, and reads it back on start.

#include <optional>

#include "copytext/copy_text_reader.hpp"
#include "core/change.hpp"
#include "core/error.hpp"
#include "sink/checkpoint.hpp"

namespace sluice {

class Sink {
 public:
  virtual ~Sink() = default;

  // The checkpoint of the `kind` stored by the last committed batch.
  virtual Checkpoint checkpoint(CheckpointKind kind) = 0;

  // Creates the destination table if missing and adds columns it lacks.
  virtual void prepare_table(const TableSchema& table) = 0;

  // Replaces a destination table's contents with the snapshot rows (its own transaction).
  virtual void load_snapshot(const TableSchema& table, CopyTextReader& rows) = 0;

  // Marks the snapshot complete at `position`: streaming resumes there from now on.
  virtual void finish_snapshot(const Position& position) = 0;

  // Applies the changes. With `commit`, commits them together with that checkpoint in one
  // warehouse transaction; without, the transaction stays open for the rest of the source
  // transaction. Having rolled back, returns Errc::kFenced when a stream part no longer
  // resumes at its expected offset (another process took the part over), or the error of
  // a statement that touches shared rows (a deadlock, a serialization failure, a refused
  // row, a lost connection), which keeps the server's code.
  virtual Result<void> apply(const ChangeBatch& batch, const std::optional<Checkpoint>& commit) = 0;

  // Drops the checkpoint so the next run starts over.
  virtual void reset() = 0;
};

}  // namespace sluice
