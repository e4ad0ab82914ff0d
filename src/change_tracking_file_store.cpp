#include "change_tracking_file_store.h"

namespace tep {

bool ChangeTrackingFileStore::append(const std::string& name, std::string_view bytes) {
  changed_.insert(name);
  return inner_.append(name, bytes);
}

bool ChangeTrackingFileStore::write(const std::string& name, std::string_view bytes) {
  changed_.insert(name);
  return inner_.write(name, bytes);
}

bool ChangeTrackingFileStore::remove(const std::string& name) {
  changed_.insert(name);
  return inner_.remove(name);
}

std::vector<std::string> ChangeTrackingFileStore::take_changed() {
  std::vector<std::string> names(changed_.begin(), changed_.end());
  changed_.clear();
  return names;
}

}  // namespace tep
