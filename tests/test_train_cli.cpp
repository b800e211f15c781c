// `mmsim train --seeds K` on the CPU: the seeds train side by side, one update
// of each in turn, and each seed trains bit for bit as it would alone.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "mmsim/core/error.hpp"
#include "seed_group.hpp"
#include "test_util.hpp"

namespace mmsim::test {
namespace {

TEST(TrainSeeds, EachSeedOfAGroupTrainsBitForBitAsItWouldAlone) {
  const TempDir dir;
  const std::string output = expect_group_seed_trains_as_alone(small_seed_group_config(dir.path()), "cpu", 0.0);
  EXPECT_NE(output.find("training the 2 seeds side by side"), std::string::npos) << output;
  // Updates alternate between the seeds: seed 2's first validation comes before seed 1's second.
  const auto first_of_2 = output.find("[seed 2] validation at update 1:");
  const auto second_of_1 = output.find("[seed 1] validation at update 2:");
  ASSERT_NE(first_of_2, std::string::npos) << output;
  ASSERT_NE(second_of_1, std::string::npos) << output;
  EXPECT_LT(first_of_2, second_of_1);
  std::ifstream seeds_file(dir.path() / "group-seeds" / cli::kSeedRunsFile);
  std::stringstream listed;
  listed << seeds_file.rdbuf();
  EXPECT_EQ(listed.str(), "group-seed1\ngroup-seed2\n");
}

TEST(TrainSeeds, AnExistingSeedRunIsRefusedBeforeAnythingIsWritten) {
  const TempDir dir;
  Config config = small_seed_group_config(dir.path());
  config.seed = 1;
  config.train.name = "taken";
  std::filesystem::create_directories(dir.path() / "taken-seed2" / "checkpoint");
  std::ostringstream out;
  try {
    cli::run_train(config, {"cpu", "", 2}, out);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("taken-seed2 already holds a run"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "taken-seed1"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "taken-seeds"));
}

}  // namespace
}  // namespace mmsim::test
