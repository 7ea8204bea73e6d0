#include "core_info.h"

#include <QCoreApplication>
#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::printf("poolscope %s\n", qPrintable(poolscope::coreVersion()));
    return 0;
}
