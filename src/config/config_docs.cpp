// Rewrites the key tables of docs/configuration.md from the config key
// tables: `cmake --build build --target config_docs`, or
//   mmsim_config_docs docs/configuration.md

#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "config/key_docs.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: mmsim_config_docs docs/configuration.md\n";
    return 2;
  }
  const std::string path = argv[1];
  try {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string updated = mmsim::config::with_key_tables(text.str());
    if (updated == text.str()) {
      std::cout << path << ": the key tables are up to date\n";
      return 0;
    }
    std::ofstream out(path, std::ios::binary);
    out << updated;
    if (!out) throw std::runtime_error("cannot write " + path);
    std::cout << path << ": key tables rewritten\n";
  } catch (const std::exception& e) {
    std::cerr << "mmsim_config_docs: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
