from servicekit.service import main
from services.intake.app import build

if __name__ == "__main__":
    main(build)
